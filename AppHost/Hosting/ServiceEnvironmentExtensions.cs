namespace AlyAspire.AppHost.Hosting;

public static class ServiceEnvironmentExtensions
{
    /// <summary>
    /// What every platform service (not the sample client) gets: readiness from its <c>/health</c> endpoint and a
    /// quick shutdown. (Its service credentials come per calling pair: <see cref="ServiceCredentialExtensions"/>.)
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPlatformService(this IResourceBuilder<ProjectResource> builder) => builder
        .WithHttpHealthCheck("/health")
        .WithQuickShutdown();

    /// <summary>
    /// In run mode, services give up on the OTLP exporter after a second at shutdown instead of retrying the
    /// stopped dashboard for ~10 s, so Ctrl+C brings the whole stack down in a few seconds.
    /// </summary>
    public static IResourceBuilder<T> WithQuickShutdown<T>(this IResourceBuilder<T> builder)
        where T : IResourceWithEnvironment
    {
        if (builder.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            builder.WithEnvironment("OTEL_EXPORTER_OTLP_TIMEOUT", "1000");
        }

        return builder;
    }
}
