using System.Collections.Concurrent;
using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Application;

/// <summary>
/// Gives a workspace its store the first time one of its credentials reaches the StorefrontApi: default settings
/// and a (disabled) voice agent, so a new workspace gets 200 with empty lists and defaults, never "no store yet".
/// Idempotent (primary keys on the workspace id) and safe between replicas; each replica asks storedb once per
/// workspace and remembers the answer.
/// </summary>
public sealed class StoreProvisioning(IServiceScopeFactory scopes, TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, bool> _provisioned = new();

    public async ValueTask EnsureAsync(Guid workspaceId, CancellationToken ct)
    {
        if (_provisioned.ContainsKey(workspaceId))
        {
            return;
        }

        // Its own scope (and DbContext): the request's context must not carry these rows into its own SaveChanges.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StoreDbContext>();
        var hasSettings = await db.WorkspaceSettings.IgnoreQueryFilters().AnyAsync(s => s.WorkspaceId == workspaceId, ct);
        var hasVoice = await db.VoiceAgents.IgnoreQueryFilters().AnyAsync(v => v.WorkspaceId == workspaceId, ct);
        if (!hasSettings || !hasVoice)
        {
            var now = time.GetUtcNow();
            if (!hasSettings)
            {
                db.WorkspaceSettings.Add(new WorkspaceSettings
                {
                    WorkspaceId = workspaceId, Name = "My store", SupportEmail = string.Empty, DefaultCurrency = "EUR", Timezone = "UTC", UpdatedAt = now,
                });
            }

            if (!hasVoice)
            {
                db.VoiceAgents.Add(new VoiceAgentConfig
                {
                    WorkspaceId = workspaceId, Enabled = false, Voice = "alloy", Language = "en-GB", Greeting = "Hello, how can I help?", UpdatedAt = now,
                });
            }

            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another replica (or request) provisioned it at the same moment: the store exists, which is all we need.
            }
        }

        _provisioned.TryAdd(workspaceId, true);
    }
}

/// <summary>Runs <see cref="StoreProvisioning"/> before any merchant endpoint of an authenticated workspace.</summary>
public sealed class StoreProvisioningFilter(StoreProvisioning provisioning, ICurrentWorkspace workspace) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (workspace.WorkspaceId is { } workspaceId)
        {
            await provisioning.EnsureAsync(workspaceId, context.HttpContext.RequestAborted);
        }

        return await next(context);
    }
}
