using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Application;

public sealed record VoiceAgentView(bool Enabled, string Voice, string Language, string Greeting, string? HandoffPhoneNumber, DateTimeOffset UpdatedAt);

public sealed record UpdateVoiceAgentRequest(bool? Enabled, string? Voice, string? Language, string? Greeting, string? HandoffPhoneNumber);

/// <summary>The workspace's voice agent configuration. Used by REST and MCP.</summary>
public sealed class VoiceAgentService(StoreDbContext db, ActivityFeed activity, TimeProvider time)
{
    public static readonly IReadOnlyList<string> Voices = ["alloy", "aria", "verse", "sage", "coral"];

    public async Task<StoreResult<VoiceAgentView>> GetAsync(CancellationToken ct) =>
        await db.VoiceAgents.AsNoTracking().FirstOrDefaultAsync(ct) is { } config
            ? ToView(config)
            : new StoreError(StoreErrorKind.NotFound, "This workspace has no voice agent yet; configure one first.");

    public async Task<StoreResult<VoiceAgentView>> ConfigureAsync(UpdateVoiceAgentRequest request, CancellationToken ct)
    {
        if (request.Voice is { } voice && !Voices.Contains(voice))
        {
            return StoreError.Invalid("voice", $"voice must be one of: {string.Join(", ", Voices)}.");
        }

        if (request.Greeting is { } greeting && (string.IsNullOrWhiteSpace(greeting) || greeting.Length > 500))
        {
            return StoreError.Invalid("greeting", "greeting cannot be empty or longer than 500 characters.");
        }

        if (request.Language?.Length > 16 || request.HandoffPhoneNumber?.Length > 32)
        {
            return StoreError.Invalid("language", "language is at most 16 and handoffPhoneNumber at most 32 characters.");
        }

        var config = await db.VoiceAgents.FirstOrDefaultAsync(ct);
        if (config is null)
        {
            config = new VoiceAgentConfig { Voice = "alloy", Language = "en-GB", Greeting = "Hello, how can I help?" };
            db.VoiceAgents.Add(config);
        }

        config.Enabled = request.Enabled ?? config.Enabled;
        config.Voice = request.Voice ?? config.Voice;
        config.Language = request.Language ?? config.Language;
        config.Greeting = request.Greeting ?? config.Greeting;
        config.HandoffPhoneNumber = request.HandoffPhoneNumber ?? config.HandoffPhoneNumber;
        config.UpdatedAt = time.GetUtcNow();
        activity.Record("voice_agent.updated", "Voice agent configuration changed");
        await db.SaveChangesAsync(ct);
        return ToView(config);
    }

    private static VoiceAgentView ToView(VoiceAgentConfig c) => new(c.Enabled, c.Voice, c.Language, c.Greeting, c.HandoffPhoneNumber, c.UpdatedAt);
}
