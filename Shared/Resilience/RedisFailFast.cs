using StackExchange.Redis;

namespace AlyAspire.Shared.Resilience;

/// <summary>
/// The StackExchange.Redis settings every service connects with, so Redis going away never holds a request: the
/// process starts and keeps running without Redis and reconnects by itself (<c>AbortOnConnectFail=false</c>, a short
/// reconnect back-off), commands fail at once while disconnected instead of queueing (<c>BacklogPolicy.FailFast</c>),
/// and no command waits longer than two seconds. Calls on an agent request's path are bounded far tighter, by the
/// <see cref="DependencyPipelines.RedisHotPath"/> pipeline.
/// </summary>
public static class RedisFailFast
{
    public static void Configure(ConfigurationOptions options)
    {
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = 2_000;
        options.SyncTimeout = 2_000;
        options.AsyncTimeout = 2_000;
        options.KeepAlive = 5;
        options.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 2_000);
    }
}
