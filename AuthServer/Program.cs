using AlyAspire.AuthServer.Apis;
using AlyAspire.AuthServer.Extensions;
using AlyAspire.AuthServer.OAuth;
using AlyAspire.Shared.Http;
using AlyAspire.AuthServer.Throttling;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// First, so every later step (the per-address limits above all) sees the client, scheme and host behind a trusted proxy.
app.UseTrustedForwardedHeaders();
// Every error answers as an RFC 6749 error on /oauth and a problem elsewhere, never naming an exception; input with
// control characters or over the form limits is refused before OpenIddict, a page or a query sees it.
app.UseExceptionHandler();
app.UseRequestInputGuard();
app.UseSecurityHeaders();
app.UseStaticFiles();
app.UseJsonTokenRequests();
app.UseOAuthEndpointLimits();
app.UseRouting();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapDefaultEndpoints();
app.MapClientRegistrationApi();
app.MapInternalTeamApi();
app.MapAuditApi();
app.MapRazorPages();

app.Run();
