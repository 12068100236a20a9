using AlyAspire.AuthServer.MachineClients;
using AlyAspire.Shared.Scopes;
using Microsoft.AspNetCore.Mvc;

namespace AlyAspire.AuthServer.Pages.Settings;

/// <summary>
/// The workspace's machine clients (OAuth <c>client_credentials</c>): whoever manages the workspace's API keys
/// (owners and admins) creates, rotates and deletes them, with scopes within their own role.
/// </summary>
public sealed class MachineClientsModel(MachineClientService machineClients) : DashboardPageModel
{
    public IReadOnlyList<MachineClientView> Clients { get; private set; } = [];

    /// <summary>The client whose secret was just created or rotated, shown once with it.</summary>
    public MachineClientView? Issued { get; private set; }

    public string? Secret { get; private set; }

    public string? Error { get; private set; }

    public bool CanManage => HasScope(ScopeCatalogue.ManageApiKeys);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(string? name, string[]? scopes, string? platformProfile, CancellationToken ct) =>
        CanManage
            ? await ShowAsync(await machineClients.CreateAsync(WorkspaceId, new MachineClientActor(UserId, [.. RoleScopes]), name, scopes, platformProfile, ct), ct)
            : Forbid();

    public async Task<IActionResult> OnPostRotateAsync(Guid clientId, int? graceHours, CancellationToken ct) =>
        CanManage ? await ShowAsync(await machineClients.RotateAsync(WorkspaceId, clientId, graceHours, ct), ct) : Forbid();

    public async Task<IActionResult> OnPostDeleteAsync(Guid clientId, CancellationToken ct) =>
        CanManage ? await ShowAsync(await machineClients.DeleteAsync(WorkspaceId, clientId, ct), ct) : Forbid();

    private async Task<IActionResult> ShowAsync(MachineClientChange change, CancellationToken ct)
    {
        if (change.Error is not null)
        {
            Error = change.Error;
            Response.StatusCode = change.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
        }
        else if (change.Secret is not null)
        {
            (Issued, Secret) = (change.Client, change.Secret);
            Response.Headers.CacheControl = "no-store";
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct) => Clients = await machineClients.ListAsync(WorkspaceId, ct);
}
