using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.Shared.ApiKeys;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.AuthServer.Keys;

/// <summary>
/// The signed-in person as the KeyService sees them: an actor assertion naming their role in the workspace as
/// the memberships say now (not as the session said when it was issued), so the KeyService applies today's ceiling.
/// </summary>
public sealed class DashboardActors(AuthDbContext db, ActorAssertions assertions)
{
    /// <returns>The actor, or null when the person is no longer a member of the workspace.</returns>
    public async Task<ApiKeyActor?> ForAsync(Guid userId, Guid workspaceId, HttpContext http, CancellationToken ct)
    {
        var role = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId && m.WorkspaceId == workspaceId)
            .Select(m => m.Role).SingleOrDefaultAsync(ct);
        return role is null
            ? null
            : ApiKeyActor.Person(assertions.Issue(userId, workspaceId, role, http.Connection.RemoteIpAddress?.ToString()));
    }

    /// <summary>The actor, or the KeyService's own refusal (403 problem) when the person is no longer a member.</summary>
    public async Task<ApiKeyActor> RequireAsync(Guid userId, Guid workspaceId, HttpContext http, CancellationToken ct) =>
        await ForAsync(userId, workspaceId, http, ct)
        ?? throw new ApiKeyServiceException(System.Net.HttpStatusCode.Forbidden, new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = StatusCodes.Status403Forbidden,
            Title = "Not a member of this workspace.",
            Detail = "You are no longer a member of this workspace.",
        });
}
