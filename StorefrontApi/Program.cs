using AlyAspire.StorefrontApi.Apis;
using AlyAspire.StorefrontApi.Apis.A2a;
using AlyAspire.StorefrontApi.Apis.Ucp;
using AlyAspire.StorefrontApi.Extensions;
using AlyAspire.Shared.Http;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseTrustedForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestInputGuard();
app.UseAgentGate();

app.MapDefaultEndpoints();
app.MapProtectedResourceMetadata();
app.MapMerchantApi();
app.MapStoreMcp();
app.MapUcp();
app.MapA2a();
app.MapApiReference();
app.MapDevelopmentApi();

app.Run();
