using AlyAspire.AgentGate;
using System.Text.Json;
using AlyAspire.AuthServer.OAuth;

namespace AlyAspire.AuthServer.Outbox;

/// <summary>
/// Revocation markers (<see cref="Shared.Credentials.RevocationSignals"/>) for revocations already committed in
/// authdb: set in Redis and published, retried until Redis takes them, so no verifier cache outlives the revocation.
/// </summary>
public static class RevocationMarkerOutbox
{
    public const string Kind = "revocation-markers";

    public static void AddMarkers(this OutboxWriter outbox, IReadOnlyCollection<string> markers)
    {
        if (markers.Count > 0)
        {
            outbox.Add(Kind, JsonSerializer.Serialize(markers));
        }
    }
}

public sealed class RevocationMarkerOutboxHandler(RevocationPublisher signals) : IOutboxHandler
{
    public string Kind => RevocationMarkerOutbox.Kind;

    public async Task DeliverAsync(string payload, CancellationToken cancellationToken)
    {
        foreach (var marker in JsonSerializer.Deserialize<string[]>(payload) ?? [])
        {
            await signals.PublishAsync(marker).WaitAsync(cancellationToken);
        }
    }
}
