using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.StorefrontApi.Apis;

public static class VoiceApi
{
    public static RouteGroupBuilder MapVoiceApi(this RouteGroupBuilder merchant)
    {
        var voice = merchant.MapGroup("/voice-agent").WithTags("Voice agent");
        voice.MapGet("/", GetVoiceAgent).RequireScope(ScopeCatalogue.ManageVoice).WithSummary("Get the voice agent's configuration");
        voice.MapPut("/", UpdateVoiceAgent).RequireScope(ScopeCatalogue.ManageVoice).WithSummary("Configure the voice agent");
        return merchant;
    }

    public static async Task<Results<Ok<VoiceAgentView>, ProblemHttpResult>> GetVoiceAgent(VoiceAgentService voice, CancellationToken ct) =>
        (await voice.GetAsync(ct)).ToOk();

    public static async Task<Results<Ok<VoiceAgentView>, ProblemHttpResult>> UpdateVoiceAgent(UpdateVoiceAgentRequest request, VoiceAgentService voice, CancellationToken ct) =>
        (await voice.ConfigureAsync(request, ct)).ToOk();
}
