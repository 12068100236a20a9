using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.StorefrontApi.Authentication;
using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Apis;

public sealed record VoiceAgentView(bool Enabled, string Voice, string Language, string Greeting, string? HandoffPhoneNumber, DateTimeOffset UpdatedAt);

public sealed record UpdateVoiceAgentRequest(bool? Enabled, string? Voice, string? Language, string? Greeting, string? HandoffPhoneNumber);

public static class VoiceApi
{
    private static readonly string[] Voices = ["alloy", "aria", "verse", "sage", "coral"];

    public static RouteGroupBuilder MapVoiceApi(this RouteGroupBuilder merchant)
    {
        var voice = merchant.MapGroup("/voice-agent").WithTags("Voice agent");
        voice.MapGet("/", GetVoiceAgent).RequireScope(ScopeCatalogue.ManageVoice).WithSummary("Get the voice agent's configuration");
        voice.MapPut("/", UpdateVoiceAgent).RequireScope(ScopeCatalogue.ManageVoice).WithSummary("Configure the voice agent");
        return merchant;
    }

    public static async Task<Results<Ok<VoiceAgentView>, ProblemHttpResult>> GetVoiceAgent(StoreDbContext db, CancellationToken ct) =>
        await db.VoiceAgents.AsNoTracking().FirstOrDefaultAsync(ct) is { } config
            ? TypedResults.Ok(ToView(config))
            : StoreResults.NotFound("This workspace has no voice agent yet; configure one with PUT.");

    public static async Task<Results<Ok<VoiceAgentView>, ProblemHttpResult>> UpdateVoiceAgent(
        UpdateVoiceAgentRequest request, StoreDbContext db, ActivityFeed activity, TimeProvider time, CancellationToken ct)
    {
        if (request.Voice is { } voice && !Voices.Contains(voice))
        {
            return StoreResults.Invalid("voice", $"voice must be one of: {string.Join(", ", Voices)}.");
        }

        if (request.Greeting is { } greeting && (string.IsNullOrWhiteSpace(greeting) || greeting.Length > 500))
        {
            return StoreResults.Invalid("greeting", "greeting cannot be empty or longer than 500 characters.");
        }

        if (request.Language?.Length > 16 || request.HandoffPhoneNumber?.Length > 32)
        {
            return StoreResults.Invalid("language", "language is at most 16 and handoffPhoneNumber at most 32 characters.");
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
        return TypedResults.Ok(ToView(config));
    }

    private static VoiceAgentView ToView(VoiceAgentConfig c) => new(c.Enabled, c.Voice, c.Language, c.Greeting, c.HandoffPhoneNumber, c.UpdatedAt);
}
