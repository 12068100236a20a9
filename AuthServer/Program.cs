using AlyAspire.AuthServer.Apis;
using AlyAspire.AuthServer.Extensions;
using AlyAspire.AuthServer.OAuth;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// First, so every later step (the per-address limits above all) sees the client behind a trusted proxy.
app.UseForwardedHeaders();
app.UseSecurityHeaders();
app.UseStaticFiles();
app.UseJsonTokenRequests();
app.UseRouting();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapDefaultEndpoints();
app.MapClientRegistrationApi();
app.MapAuditApi();
app.MapRazorPages();

app.Run();
