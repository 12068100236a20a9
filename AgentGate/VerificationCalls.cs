using Polly;

namespace AlyAspire.AgentGate;

/// <summary>
/// How the gate calls a credential's source (KeyService's verification, the AuthServer's introspection): one attempt
/// under a deadline, instead of the service defaults' retries with back-off. An agent request waits for its
/// verification, and a source that refused (503 while its database is down) or did not answer will not answer a
/// retry two seconds later either: the retries held a request for four seconds and more while PostgreSQL restarted.
/// Now the agent gets 503 + <c>Retry-After</c> at once and retries itself.
/// </summary>
public static class VerificationCalls
{
    /// <summary>The named client the API key verifier calls KeyService with (key management keeps the defaults).</summary>
    public const string KeyServiceClient = "keyservice-verification";

    /// <summary>
    /// Longer than a source's own PostgreSQL deadline (1.5 s), so a source that answers its 503 is heard; short enough
    /// that the request is still answered within two seconds when the source itself hangs.
    /// </summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(1800);

    public static IHttpClientBuilder AsVerificationCall(this IHttpClientBuilder builder)
    {
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is experimental, but the supported way to opt one client out of the defaults
        builder.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.AddResilienceHandler("verification", pipeline => pipeline.AddTimeout(Deadline));
        return builder;
    }
}
