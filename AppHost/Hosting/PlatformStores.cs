namespace AlyAspire.AppHost.Hosting;

/// <summary>
/// PostgreSQL and Redis for the platform: local executables in run mode (this environment has no
/// container runtime), Aspire's own container resources when publishing or when <c>AppHost:Containers=true</c>.
/// The services receive the same connection-string names either way.
/// </summary>
public sealed class PlatformStores
{
    private readonly IDistributedApplicationBuilder _builder;
    private readonly IResourceBuilder<LocalPostgresServerResource>? _localPostgres;
    private readonly IResourceBuilder<PostgresServerResource>? _containerPostgres;
    private readonly LocalDataDirectory? _dataDirectory;

    private PlatformStores(IDistributedApplicationBuilder builder, LocalDataDirectory? dataDirectory,
        IResourceBuilder<LocalPostgresServerResource>? localPostgres, IResourceBuilder<PostgresServerResource>? containerPostgres,
        IResourceBuilder<IResourceWithConnectionString> redis)
    {
        _builder = builder;
        _dataDirectory = dataDirectory;
        _localPostgres = localPostgres;
        _containerPostgres = containerPostgres;
        Redis = redis;
    }

    public IResourceBuilder<IResourceWithConnectionString> Redis { get; }

    public static PlatformStores Add(IDistributedApplicationBuilder builder, bool fresh, int postgresPort, int redisPort)
    {
        var useContainers = builder.ExecutionContext.IsPublishMode || string.Equals(builder.Configuration["AppHost:Containers"], "true", StringComparison.OrdinalIgnoreCase);
        if (useContainers)
        {
            var postgres = builder.AddPostgres("postgres").WithDataVolume();
            var redis = builder.AddRedis("redis").WithDataVolume();
            return new PlatformStores(builder, null, null, postgres,
                builder.CreateResourceBuilder<IResourceWithConnectionString>(redis.Resource));
        }

        var data = LocalDataDirectory.Resolve(builder, fresh);
        var localPostgres = builder.AddLocalPostgres("postgres", data, postgresPort);
        var localRedis = builder.AddLocalRedis("redis", data, redisPort);
        return new PlatformStores(builder, data, localPostgres, null,
            builder.CreateResourceBuilder<IResourceWithConnectionString>(localRedis.Resource));
    }

    public IResourceBuilder<IResourceWithConnectionString> AddDatabase(string name)
    {
        IResourceWithConnectionString database = _containerPostgres is not null
            ? _containerPostgres.AddDatabase(name).Resource
            : _localPostgres!.AddDatabase(name).Resource;
        return _builder.CreateResourceBuilder(database);
    }

    /// <summary>
    /// A secret the services share (service credentials, hashing keys): kept in the local data folder in
    /// run mode, a generated secret parameter in the deployment manifest. Its value is never written out.
    /// </summary>
    public IResourceBuilder<ParameterResource> AddSecret(string name) => _dataDirectory is not null
        ? _builder.AddParameter(name, _dataDirectory.GetOrCreateSecret(name), secret: true)
        : _builder.AddParameter(name, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);
}
