using AlyAspire.AppHost.Hosting;

// --fresh wipes the local data folder (.aly/) before the stack starts.
var fresh = args.Contains("--fresh");
var builder = DistributedApplication.CreateBuilder(args.Where(arg => arg != "--fresh").ToArray());

// Data: PostgreSQL and Redis (local executables in run mode, containers in the deployment manifest).
var stores = PlatformStores.Add(builder, fresh, postgresPort: 55432, redisPort: 56379);
var redis = stores.Redis;
var authDb = stores.AddDatabase("authdb");
var keysDb = stores.AddDatabase("keysdb");
var storeDb = stores.AddDatabase("storedb");
var limitsDb = stores.AddDatabase("limitsdb");

// Secrets the services share: the internal service credential and the API-key hashing key.
var serviceKey = stores.AddSecret("internal-service-key");
var apiKeyHashSecret = stores.AddSecret("api-key-hash-secret");
var sessionSigningKey = stores.AddSecret("session-signing-key");

// Services
var keyService = builder.AddProject<Projects.KeyService>("keyservice")
    .WithReference(keysDb).WaitFor(keysDb)
    .WithReference(redis).WaitFor(redis)
    .WithPlatformService(serviceKey)
    .WithEnvironment("ApiKeys__HashSecret", apiKeyHashSecret);

// The RateLimiter's decision API is gRPC, which needs HTTP/2; Kestrel speaks HTTP/2 without TLS only on an
// HTTP/2-only endpoint, so decisions get their own endpoint ("grpc") beside the HTTP/1.1 one (health, admin).
var rateLimiter = builder.AddProject<Projects.RateLimiter>("ratelimiter")
    .WithHttpEndpoint(port: 5401, name: "grpc")
    .WithReference(limitsDb).WaitFor(limitsDb)
    .WithReference(redis).WaitFor(redis)
    .WithPlatformService(serviceKey);
rateLimiter.WithEnvironment("RateLimiter__GrpcPort", rateLimiter.GetEndpoint("grpc").Property(EndpointProperty.TargetPort));

var authServer = builder.AddProject<Projects.AuthServer>("authserver")
    .WithExternalHttpEndpoints()
    .WithReference(authDb).WaitFor(authDb)
    .WithReference(redis).WaitFor(redis)
    .WithReference(keyService).WaitFor(keyService)
    .WithReference(rateLimiter)
    .WithPlatformService(serviceKey)
    .WithEnvironment("Session__SigningKey", sessionSigningKey)
    .WithCreateDemoApiKeyCommand(keyService, serviceKey);

var storefrontApi = builder.AddProject<Projects.StorefrontApi>("storefrontapi")
    .WithExternalHttpEndpoints()
    .WithReplicas(int.TryParse(builder.Configuration["AppHost:StorefrontReplicas"], out var replicas) ? replicas : 1)
    .WithReference(storeDb).WaitFor(storeDb)
    .WithReference(redis).WaitFor(redis)
    .WithReference(keyService).WaitFor(keyService)
    .WithReference(rateLimiter).WaitFor(rateLimiter)
    .WithReference(authServer).WaitFor(authServer)
    .WithPlatformService(serviceKey);
storefrontApi.WithResetDemoStoreCommand(serviceKey);

// The AuthServer names the platform's resource servers (RFC 8707) by their public URLs; the StorefrontApi builds
// its audiences and protected resource metadata from the same URL (behind the replicas' shared endpoint).
authServer.WithEnvironment("ResourceServers__StorefrontApi", storefrontApi.GetEndpoint("http"));
storefrontApi.WithEnvironment("Storefront__PublicBaseUrl", storefrontApi.GetEndpoint("http"));

// A client of the platform, started on demand from the dashboard (or `dotnet run --project SampleAgent`).
builder.AddProject<Projects.SampleAgent>("sampleagent")
    .WithReference(authServer)
    .WithReference(storefrontApi)
    .WithArgs("pkce", "--headless")
    .WithExplicitStart()
    .WithQuickShutdown();

builder.Build().Run();
