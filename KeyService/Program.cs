using AlyAspire.KeyService.Apis;
using AlyAspire.KeyService.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// Unhandled errors and bare status codes (e.g. an unreadable body) answer as RFC 9457 problems.
app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapApiKeysApi();
app.MapUsageApi();

app.Run();
