namespace AlyAspire.AppHost.Hosting;

/// <summary>
/// A Redis-compatible server started by DCP from a local binary: <c>redis-server</c>, or Microsoft's Garnet
/// where Redis is not installed. The connection string has the shape of Aspire's <c>RedisResource</c>.
/// </summary>
public sealed class LocalRedisResource(string name, string command, string workingDirectory, ParameterResource password, string dataDirectory, string flavour)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    public ParameterResource PasswordParameter { get; } = password;

    public string DataDirectory { get; } = dataDirectory;

    /// <summary><c>redis-server</c> or <c>garnet</c>: shown in the dashboard.</summary>
    public string Flavour { get; } = flavour;

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},password={PasswordParameter}");
}
