using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlyAspire.AppHost.Hosting;

/// <summary>Marks a resource the <see cref="CrashedResourceRestarter"/> starts again when its process dies.</summary>
internal sealed class RestartOnCrashAnnotation : IResourceAnnotation;

public static class RestartOnCrashExtensions
{
    /// <summary>
    /// Starts the resource again, with back-off, whenever its process ends without having been asked to (a crash, a
    /// <c>kill -9</c>): the local stores heal by themselves, as a container orchestrator's restart policy would do for
    /// the deployed ones. A stop from the dashboard (or a test) is respected. Run mode only.
    /// </summary>
    public static IResourceBuilder<T> WithRestartOnCrash<T>(this IResourceBuilder<T> builder) where T : ExecutableResource
    {
        if (builder.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            builder.WithAnnotation(new RestartOnCrashAnnotation());
            builder.ApplicationBuilder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CrashedResourceRestarter>());
        }

        return builder;
    }
}

/// <summary>
/// Watches the resources marked <see cref="RestartOnCrashAnnotation"/>. When one reaches a terminal state that nobody
/// asked for (no Stopping before it, a non-zero exit code, the AppHost not shutting down), it writes why to the
/// resource's own log (the dashboard's console view) and runs the resource's start command after a back-off of 1, 2,
/// 4 … at most 30 seconds; the back-off starts over once the resource is healthy again.
/// </summary>
internal sealed partial class CrashedResourceRestarter(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLoggerService resourceLogs,
    IHostApplicationLifetime lifetime,
    ILogger<CrashedResourceRestarter> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, Watch> _watches = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watched = model.Resources.Where(r => r.Annotations.OfType<RestartOnCrashAnnotation>().Any()).Select(r => r.Name).ToHashSet();
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                if (!watched.Contains(update.Resource.Name))
                {
                    continue;
                }

                Observe(update, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Observe(ResourceEvent update, CancellationToken stoppingToken)
    {
        if (!_watches.TryGetValue(update.ResourceId, out var watch))
        {
            _watches[update.ResourceId] = watch = new Watch();
        }

        var snapshot = update.Snapshot;
        var state = snapshot.State?.Text;
        if (state == KnownResourceStates.Stopping)
        {
            watch.StopRequested = true;
        }
        else if (state == KnownResourceStates.Starting)
        {
            watch.StopRequested = false;
        }
        else if (state == KnownResourceStates.Running)
        {
            watch.StopRequested = false;
            watch.HasRun = true;
            if (snapshot.HealthStatus == HealthStatus.Healthy)
            {
                watch.Attempt = 0;
            }
        }
        else if (state is not null && KnownResourceStates.TerminalStates.Contains(state)
                 && watch.HasRun && !watch.StopRequested && !watch.RestartPending && snapshot.ExitCode is not 0
                 && !lifetime.ApplicationStopping.IsCancellationRequested)
        {
            watch.RestartPending = true;
            // Acted on once: the next exit counts only after the new process has run.
            watch.HasRun = false;
            watch.Attempt++;
            var backoff = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, watch.Attempt - 1)));
            _ = RestartAsync(update.Resource, watch, snapshot.ExitCode, backoff, stoppingToken);
        }
    }

    private async Task RestartAsync(IResource resource, Watch watch, int? exitCode, TimeSpan backoff, CancellationToken stoppingToken)
    {
        var resourceLog = resourceLogs.GetLogger(resource);
        try
        {
            LogExited(resourceLog, resource.Name, exitCode, backoff.TotalSeconds, watch.Attempt);
            await Task.Delay(backoff, stoppingToken);
            var result = await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, stoppingToken);
            if (result.Success)
            {
                LogRestarted(resourceLog, resource.Name);
            }
            else
            {
                LogRestartFailed(logger, resource.Name, result.Message);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogRestartError(logger, ex, resource.Name);
        }
        finally
        {
            watch.RestartPending = false;
        }
    }

    private sealed class Watch
    {
        public bool HasRun { get; set; }

        public bool StopRequested { get; set; }

        public volatile bool RestartPending;

        public int Attempt { get; set; }
    }

    [LoggerMessage(LogLevel.Warning, "{Resource} exited unexpectedly (exit code {ExitCode}); restarting it in {Seconds} s (attempt {Attempt})")]
    private static partial void LogExited(ILogger logger, string resource, int? exitCode, double seconds, int attempt);

    [LoggerMessage(LogLevel.Information, "{Resource} restarted after an unexpected exit")]
    private static partial void LogRestarted(ILogger logger, string resource);

    [LoggerMessage(LogLevel.Warning, "Restarting {Resource} failed: {Message}")]
    private static partial void LogRestartFailed(ILogger logger, string resource, string? message);

    [LoggerMessage(LogLevel.Error, "Restarting {Resource} failed")]
    private static partial void LogRestartError(ILogger logger, Exception exception, string resource);
}
