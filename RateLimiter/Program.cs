using AlyAspire.RateLimiter.Apis;
using AlyAspire.RateLimiter.Decisions;
using AlyAspire.RateLimiter.Extensions;
using AlyAspire.Shared.Http;
using AlyAspire.Shared.Internal;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseTrustedForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestInputGuard();

app.MapDefaultEndpoints();
app.MapGrpcService<RateLimitDecisionService>().RequireAuthorization(InternalServiceAuthentication.Policy);
app.MapWorkspaceLimitsApi();

app.Run();
