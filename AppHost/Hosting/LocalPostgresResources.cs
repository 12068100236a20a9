namespace AlyAspire.AppHost.Hosting;

/// <summary>
/// A PostgreSQL server started by DCP from the machine's own binaries (no container runtime here).
/// Its connection string has the same shape as Aspire's <c>PostgresServerResource</c>, so the
/// services' <c>AddNpgsqlDbContext</c> cannot tell the difference.
/// </summary>
public sealed class LocalPostgresServerResource(string name, string command, string workingDirectory, ParameterResource password, string dataDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";
    internal const string UserName = "postgres";

    private readonly Dictionary<string, LocalPostgresDatabaseResource> _databases = new(StringComparer.OrdinalIgnoreCase);

    public ParameterResource PasswordParameter { get; } = password;

    public string DataDirectory { get; } = dataDirectory;

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public IReadOnlyCollection<LocalPostgresDatabaseResource> Databases => _databases.Values;

    /// <remarks>
    /// <c>SSL Mode=Disable</c>: the local server has no TLS, so asking for it (Npgsql's default, Prefer) is a wasted round
    /// trip on every new connection, and one Npgsql waits for without its cancellation token: opened while the server
    /// stalled, such a connection held its request for as long as the stall lasted.
    /// </remarks>
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter};SSL Mode=Disable");

    internal void AddDatabase(LocalPostgresDatabaseResource database) => _databases.Add(database.Name, database);
}

/// <summary>A database on a <see cref="LocalPostgresServerResource"/>, created once the server is ready.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresServerResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresServerResource>, IResourceWithConnectionString
{
    public string DatabaseName { get; } = databaseName;

    public LocalPostgresServerResource Parent { get; } = parent;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}
