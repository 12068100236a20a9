using AlyAspire.KeyService.Apis;
using AlyAspire.KeyService.Extensions;
using AlyAspire.Shared.Http;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseTrustedForwardedHeaders();
// Unhandled errors and bare status codes (e.g. an unreadable body) answer as RFC 9457 problems.
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestInputGuard();

app.MapDefaultEndpoints();
app.MapApiKeysApi();
app.MapUsageApi();

app.Run();
