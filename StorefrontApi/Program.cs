using AlyAspire.StorefrontApi.Apis;
using AlyAspire.StorefrontApi.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAgentGate();

app.MapDefaultEndpoints();
app.MapProtectedResourceMetadata();
app.MapMerchantApi();
app.MapStoreMcp();
app.MapApiReference();
app.MapDevelopmentApi();

app.Run();
