using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using StackExchange.Redis;

namespace AlyAspire.Shared.Resilience;

/// <summary>
/// The deadline and circuit breaker that every request-path call to Redis and to PostgreSQL runs behind: one named
/// Polly pipeline per dependency, registered once per service (<see cref="AddDependencyResilience"/>) and taken from
/// <see cref="Polly.Registry.ResiliencePipelineProvider{TKey}"/>. A stalled dependency costs a request at most the
/// pipeline's timeout; once the breaker has seen it fail, it costs nothing (the call is refused at once) until a
/// probe after <see cref="BreakDuration"/> finds it answering again.
/// </summary>
public static class DependencyPipelines
{
    /// <summary>Redis on an agent request's path: revocation markers, limit decisions.</summary>
    public const string RedisHotPath = "redis-hot-path";

    /// <summary>PostgreSQL on a request's path (every EF Core command, see <see cref="PostgresResilienceInterceptor"/>).</summary>
    public const string Postgres = "postgres";

    /// <summary>A Redis answer normally takes a millisecond; one that takes this long is not coming.</summary>
    public static readonly TimeSpan RedisHotPathTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The longest one PostgreSQL command (or connection) may take on a request's path: short enough that a request
    /// still answers (503) soon when the server stalls under it (at this deadline: the driver's cancel request goes on
    /// without it, see <see cref="AbandonedConnectionWork"/>), long enough for the slowest honest query under load.
    /// </summary>
    public static readonly TimeSpan PostgresTimeout = TimeSpan.FromMilliseconds(1500);

    /// <summary>How long an open breaker refuses calls before it lets one probe through.</summary>
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(2);

    /// <summary>What a 503 for an unavailable dependency asks the caller to wait: about one break.</summary>
    public static readonly TimeSpan RetryAfter = BreakDuration;

    /// <summary>
    /// Registers both pipelines and the exception handler that answers their refusals with 503 + Retry-After
    /// (<see cref="DependencyUnavailableExceptionHandler"/>; the app needs <c>UseExceptionHandler()</c>).
    /// </summary>
    public static IServiceCollection AddDependencyResilience(this IServiceCollection services)
    {
        services.AddDependencyPipelines();
        if (!services.Any(descriptor => descriptor.ImplementationType == typeof(DependencyUnavailableExceptionHandler)))
        {
            services.AddExceptionHandler<DependencyUnavailableExceptionHandler>();
        }

        return services;
    }

    /// <summary>Registers the two pipelines once (each library that needs them may ask; later calls do nothing).</summary>
    public static IServiceCollection AddDependencyPipelines(this IServiceCollection services)
    {
        if (services.Any(descriptor => descriptor.ServiceType == typeof(Registered)))
        {
            return services;
        }

        services.AddSingleton<Registered>();
        services.AddHttpContextAccessor();
        // The deadlines can be set per environment (Resilience:RedisHotPathTimeout, Resilience:PostgresTimeout), e.g. for
        // a machine too loaded for the defaults; the defaults are the platform's promise.
        services.AddResiliencePipeline(RedisHotPath, (pipeline, context) => pipeline
            .AddCircuitBreaker(Breaker(new PredicateBuilder<object>()
                .Handle<RedisException>()
                .Handle<TimeoutException>()
                .Handle<TimeoutRejectedException>()))
            .AddTimeout(Configured(context.ServiceProvider, "Resilience:RedisHotPathTimeout", RedisHotPathTimeout)));
        services.AddResiliencePipeline(Postgres, (pipeline, context) => pipeline
            .AddCircuitBreaker(Breaker(new PredicateBuilder<object>()
                .Handle<DbException>(exception => exception.IsTransient)
                .Handle<TimeoutException>()
                .Handle<TimeoutRejectedException>()))
            .AddTimeout(Configured(context.ServiceProvider, "Resilience:PostgresTimeout", PostgresTimeout)));
        return services;
    }

    private sealed class Registered;

    private static TimeSpan Configured(IServiceProvider services, string key, TimeSpan fallback) =>
        services.GetService<IConfiguration>()?.GetValue<TimeSpan?>(key) is { } configured && configured > TimeSpan.Zero ? configured : fallback;

    /// <summary>
    /// Whether an exception means a dependency could not answer (as opposed to a bug or a refused write): a breaker's
    /// or a deadline's refusal, a Redis failure, a transient database failure; wrapped ones too (EF Core wraps).
    /// </summary>
    public static bool IsUnavailability(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is ExecutionRejectedException or RedisException or RedisTimeoutException or DbException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }

    // Opens once half of the last two seconds' calls (at least ten) failed: a short window, so the successes from just
    // before a stall do not outvote it for long; ten, so a few slow calls on a loaded machine do not open it.
    private static CircuitBreakerStrategyOptions Breaker(PredicateBuilder<object> handled) => new()
    {
        FailureRatio = 0.5,
        MinimumThroughput = 10,
        SamplingDuration = TimeSpan.FromSeconds(2),
        BreakDuration = BreakDuration,
        ShouldHandle = handled,
    };
}
