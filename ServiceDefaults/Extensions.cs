using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

// Aspire's service defaults: telemetry, health checks, service discovery and resilience,
// shared by every AlyAspire service. Kept close to the Aspire template on purpose.
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";

    /// <summary>Meter and activity-source names of AlyAspire's own instrumentation.</summary>
    public const string AlyTelemetryPrefix = "AlyAspire.";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // A stalled store makes work wait in bursts: the driver's synchronous cancel requests now wait on threads of
        // their own (DedicatedThreadCancellation), but a burst of blocked work the platform does not control would
        // otherwise wait for the pool's slow thread injection, /health included. Threads above the minimum are
        // created only when work is queued.
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, MinimumPoolThreads), completionPorts);
        // A console that reads slowly (a busy orchestrator's pipe) must cost log lines, never requests waiting to log.
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite);
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        // Request limits, problem documents and the last-resort exception answer (RequestInput.cs).
        builder.Services.AddRequestInputDefaults();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(AlyTelemetryPrefix + "*"))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(AlyTelemetryPrefix + "*")
                // Npgsql's and StackExchange.Redis's spans come through the Aspire client integrations.
                .AddAspNetCoreInstrumentation(options =>
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    private const int MinimumPoolThreads = 64;

    /// <summary>The longest any one health check may take: <c>/health</c> answers within a second even when a store hangs.</summary>
    public static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromMilliseconds(800);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);

        // Every check, the client integrations' (PostgreSQL, Redis) included, runs under a deadline. The checks run
        // side by side, so the deadline bounds the whole answer; a check that ignores cancellation is abandoned.
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                var factory = registration.Factory;
                registration.Factory = services => new BoundedHealthCheck(factory, services.GetRequiredService<IServiceScopeFactory>(), HealthCheckTimeout);
            }
        });
        return builder;
    }

    /// <summary>
    /// A check under a deadline. The inner check gets a DI scope of its own, disposed when it has finished, not when
    /// <c>/health</c> answers: an abandoned database check is still opening its connection, and disposing its DbContext
    /// then throws ("Can't close, connection is in state Connecting"), which turned the 503 into a 500.
    /// </summary>
    private sealed class BoundedHealthCheck(Func<IServiceProvider, IHealthCheck> factory, IServiceScopeFactory scopes, TimeSpan timeout) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            var scope = scopes.CreateAsyncScope();
            Task<HealthCheckResult> check;
            try
            {
                check = factory(scope.ServiceProvider).CheckHealthAsync(context, deadline.Token);
            }
            catch
            {
                await scope.DisposeAsync();
                deadline.Dispose();
                throw;
            }

            _ = ReleaseWhenDoneAsync(check, scope, deadline);
            try
            {
                // The check is told to stop at the deadline; one that does not listen is abandoned there.
                return await check.WaitAsync(timeout, cancellationToken);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, $"No answer within {timeout.TotalMilliseconds} ms.");
            }
        }

        private static async Task ReleaseWhenDoneAsync(Task<HealthCheckResult> check, AsyncServiceScope scope, CancellationTokenSource deadline)
        {
            try
            {
                await ((Task)check).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await scope.DisposeAsync();
            }
            catch (Exception)
            {
                // Whatever the abandoned check left behind fails to dispose cleanly; nobody is waiting for it any more.
            }
            finally
            {
                deadline.Dispose();
            }
        }
    }

    /// <summary>
    /// <c>/health</c>: every check (databases, Redis) must pass; <c>/alive</c>: the process answers.
    /// Both are mapped in every environment: the AppHost's health checks and a container
    /// orchestrator's probes both need them, and they reveal nothing but a status word.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath).DisableHttpMetrics();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains("live")
        }).DisableHttpMetrics();
        return app;
    }
}
