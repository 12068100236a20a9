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
// Decisions are for the agent surfaces only; the AuthServer's dashboard only reads limits and usage.
app.MapGrpcService<RateLimitDecisionService>().RequireInternalCaller(PlatformServices.StorefrontApi);
app.MapWorkspaceLimitsApi();

app.Run();
