using AlyAspire.AuthServer.Apis;
using AlyAspire.AuthServer.Extensions;
using AlyAspire.AuthServer.OAuth;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

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
app.MapRazorPages();

app.Run();
