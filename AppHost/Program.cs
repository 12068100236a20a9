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

// Secrets held by one service each: the API-key hashing key, the session signing key, and the key that encrypts
// the AuthServer's signing, encryption and data-protection keys at rest. (Service-to-service secrets: below, per pair.)
var apiKeyHashSecret = stores.AddSecret("api-key-hash-secret");
var sessionSigningKey = stores.AddSecret("session-signing-key");
var keyEncryptionKey = stores.AddSecret("key-encryption-key");
// Signs the AuthServer's actor assertions (who acts on keys, with which role); only the KeyService verifies them.
var actorAssertionKey = stores.AddSecret("actor-assertion-key");

// Services
var keyService = builder.AddProject<Projects.KeyService>("keyservice")
    .WithReference(keysDb).WaitFor(keysDb)
    .WithReference(redis).WaitFor(redis)
    .WithPlatformService()
    .WithEnvironment("ApiKeys__HashSecret", apiKeyHashSecret)
    .WithEnvironment("ActorAssertions__SigningKey", actorAssertionKey);

// The RateLimiter's decision API is gRPC, which needs HTTP/2; Kestrel speaks HTTP/2 without TLS only on an
// HTTP/2-only endpoint, so decisions get their own endpoint ("grpc") beside the HTTP/1.1 one (health, admin).
var rateLimiter = builder.AddProject<Projects.RateLimiter>("ratelimiter")
    .WithHttpEndpoint(port: 5401, name: "grpc")
    .WithReference(limitsDb).WaitFor(limitsDb)
    .WithReference(redis).WaitFor(redis)
    .WithPlatformService();
rateLimiter.WithEnvironment("RateLimiter__GrpcPort", rateLimiter.GetEndpoint("grpc").Property(EndpointProperty.TargetPort));

var authServer = builder.AddProject<Projects.AuthServer>("authserver")
    .WithExternalHttpEndpoints()
    .WithReference(authDb).WaitFor(authDb)
    .WithReference(redis).WaitFor(redis)
    .WithReference(keyService).WaitFor(keyService)
    .WithReference(rateLimiter)
    .WithPlatformService()
    .WithEnvironment("Session__SigningKey", sessionSigningKey)
    .WithEnvironment("KeyEncryption__Key", keyEncryptionKey)
    .WithEnvironment("ActorAssertions__SigningKey", actorAssertionKey)
    .WithPlatformMail();

// No WaitFor: the AuthServer waits for the KeyService; the KeyService only needs it when an OAuth agent manages keys.
keyService.WithReference(authServer);

var storefrontApi = builder.AddProject<Projects.StorefrontApi>("storefrontapi")
    .WithExternalHttpEndpoints()
    .WithReplicas(int.TryParse(builder.Configuration["AppHost:StorefrontReplicas"], out var replicas) ? replicas : 1)
    .WithReference(storeDb).WaitFor(storeDb)
    .WithReference(redis).WaitFor(redis)
    .WithReference(keyService).WaitFor(keyService)
    .WithReference(rateLimiter).WaitFor(rateLimiter)
    .WithReference(authServer).WaitFor(authServer)
    .WithPlatformService();

// One secret per calling pair (a service refuses any other service's): who calls whom.
var authServerToKeyService = stores.AddServiceCredential(caller: authServer, callee: keyService);
stores.AddServiceCredential(caller: storefrontApi, callee: keyService);
stores.AddServiceCredential(caller: storefrontApi, callee: rateLimiter);
stores.AddServiceCredential(caller: storefrontApi, callee: authServer);
stores.AddServiceCredential(caller: keyService, callee: authServer);
stores.AddServiceCredential(caller: authServer, callee: rateLimiter);

// The platform's own commands in the Aspire dashboard (run mode only: a deployment has no such dashboard).
if (!builder.ExecutionContext.IsPublishMode)
{
    authServer.WithCreateDemoApiKeyCommand(keyService, authServerToKeyService, actorAssertionKey);
    var dashboardCredential = stores.AddSecret("aspire-dashboard-to-storefrontapi-key");
    storefrontApi.WithEnvironment("Internal__Callers__aspire-dashboard", dashboardCredential)
        .WithResetDemoStoreCommand(dashboardCredential);
}

// The StorefrontApi introspects tokens at the public AuthServer as an OAuth client with its own secret.
var introspectionSecret = stores.AddSecret("introspection-client-secret");
storefrontApi.WithEnvironment("Introspection__ClientSecret", introspectionSecret);
authServer.WithEnvironment("OAuth__ResourceServerSecrets__storefrontapi", introspectionSecret);
// The KeyService verifies an agent managing keys itself: it introspects the agent's token as its own OAuth client.
var keyServiceIntrospectionSecret = stores.AddSecret("keyservice-introspection-secret");
keyService.WithEnvironment("OAuth__IntrospectionClientId", "keyservice")
    .WithEnvironment("Introspection__ClientSecret", keyServiceIntrospectionSecret);
authServer.WithEnvironment("OAuth__ResourceServerSecrets__keyservice", keyServiceIntrospectionSecret);

// The AuthServer names the platform's resource servers (RFC 8707) by their public URLs; the StorefrontApi builds
// its audiences and protected resource metadata from the same URL (behind the replicas' shared endpoint).
if (builder.ExecutionContext.IsPublishMode)
{
    // Behind a TLS-terminating ingress the public URLs are given, never derived from a request (README: "Behind
    // Azure Container Apps' ingress"): the issuer, the resource URLs, the hosts each service answers to, and the
    // ingress's network, the only proxy whose forwarded headers are believed.
    var authServerUrl = builder.AddParameter("authserver-public-url");
    var authServerHost = builder.AddParameter("authserver-public-host");
    var storefrontUrl = builder.AddParameter("storefront-public-url");
    var storefrontHost = builder.AddParameter("storefront-public-host");
    var ingressNetwork = builder.AddParameter("ingress-network");
    authServer.WithEnvironment("OAuth__Issuer", authServerUrl)
        .WithEnvironment("Accounts__PublicBaseUrl", authServerUrl)
        .WithEnvironment("ResourceServers__StorefrontApi", storefrontUrl)
        .WithEnvironment("AllowedHosts", ReferenceExpression.Create($"{authServerHost};authserver"))
        .WithEnvironment("ForwardedHeaders__PublicHosts__0", authServerHost)
        .WithEnvironment("ForwardedHeaders__TrustedProxies__0", ingressNetwork);
    storefrontApi.WithEnvironment("Storefront__PublicBaseUrl", storefrontUrl)
        .WithEnvironment("Storefront__AuthorizationServer", authServerUrl)
        .WithEnvironment("AllowedHosts", ReferenceExpression.Create($"{storefrontHost};storefrontapi"))
        .WithEnvironment("ForwardedHeaders__PublicHosts__0", storefrontHost)
        .WithEnvironment("ForwardedHeaders__TrustedProxies__0", ingressNetwork);
    keyService.WithEnvironment("AllowedHosts", "keyservice");
    rateLimiter.WithEnvironment("AllowedHosts", "ratelimiter");
}
else
{
    authServer.WithEnvironment("ResourceServers__StorefrontApi", storefrontApi.GetEndpoint("http"));
    // Links in the AuthServer's mail start at its public URL, never at a request's Host header.
    authServer.WithEnvironment("Accounts__PublicBaseUrl", authServer.GetEndpoint("http"));
    storefrontApi.WithEnvironment("Storefront__PublicBaseUrl", storefrontApi.GetEndpoint("http"));
}

// A client of the platform, started on demand from the dashboard (or `dotnet run --project SampleAgent`).
builder.AddProject<Projects.SampleAgent>("sampleagent")
    .WithReference(authServer)
    .WithReference(storefrontApi)
    .WithArgs("pkce", "--headless")
    .WithExplicitStart()
    .WithQuickShutdown();

builder.Build().Run();
