using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.StorefrontApi.Apis;

public static class WorkspaceApi
{
    public static RouteGroupBuilder MapWorkspaceApi(this RouteGroupBuilder merchant)
    {
        var workspace = merchant.MapGroup("/workspace/settings").WithTags("Workspace");
        workspace.MapGet("/", GetSettings).RequireScope(ScopeCatalogue.ManageWorkspace).WithSummary("Get the workspace's settings");
        workspace.MapPatch("/", UpdateSettings).RequireScope(ScopeCatalogue.ManageWorkspace).WithSummary("Change the workspace's settings");
        return merchant;
    }

    public static async Task<Results<Ok<WorkspaceSettingsView>, ProblemHttpResult>> GetSettings(WorkspaceSettingsService settings, CancellationToken ct) =>
        (await settings.GetAsync(ct)).ToOk();

    public static async Task<Results<Ok<WorkspaceSettingsView>, ProblemHttpResult>> UpdateSettings(
        UpdateWorkspaceSettingsRequest request, WorkspaceSettingsService settings, CancellationToken ct) =>
        (await settings.UpdateAsync(request, ct)).ToOk();
}
