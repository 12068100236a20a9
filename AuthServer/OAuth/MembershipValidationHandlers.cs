using System.Security.Claims;
using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.Shared.Credentials;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// A grant is only as good as its person's membership: introspection answers <c>active: false</c>, and code
/// redemption and refresh answer <c>invalid_grant</c>, for a token whose person no longer belongs to its workspace,
/// whatever became of the revocation that should have gone with the removal. One primary-key lookup.
/// </summary>
internal static class GrantMembership
{
    // Compiled: as a LINQ query, building, funcletizing and hashing its expression cost ~4 % of a refresh's CPU
    // (bench/Peers profile, run 10).
    private static readonly Func<AuthDbContext, Guid, Guid, CancellationToken, Task<bool>> Exists =
        EF.CompileAsyncQuery((AuthDbContext db, Guid workspaceId, Guid userId, CancellationToken _) =>
            db.Memberships.Any(m => m.WorkspaceId == workspaceId && m.UserId == userId));

    public static async ValueTask<bool> IsCurrentAsync(AuthDbContext db, ClaimsPrincipal? principal, CancellationToken ct)
    {
        // Grants without a person (client credentials) or without a workspace have no membership to lose.
        if (principal?.GetClaim(Claims.Subject) is not { } subject || !Guid.TryParse(subject, out var userId)
            || principal.GetClaim(AgentClaimTypes.WorkspaceId) is not { } org || !Guid.TryParse(org, out var workspaceId))
        {
            return true;
        }

        return await Exists(db, workspaceId, userId, ct);
    }
}

public sealed class IntrospectionMembershipHandler(AuthDbContext db) : IOpenIddictServerHandler<ValidateIntrospectionRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateIntrospectionRequestContext>()
            .UseScopedHandler<IntrospectionMembershipHandler>()
            .SetOrder(OpenIddictServerHandlers.Introspection.ValidateAuthorizedParty.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateIntrospectionRequestContext context)
    {
        if (!await GrantMembership.IsCurrentAsync(db, context.GenericTokenPrincipal, context.CancellationToken))
        {
            context.Reject(Errors.InvalidToken, "The token's person no longer belongs to its workspace.");
        }
    }
}

public sealed class TokenRequestMembershipHandler(AuthDbContext db) : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<TokenRequestMembershipHandler>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateAuthorizedParty.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        var principal = context.Request.IsRefreshTokenGrantType() ? context.RefreshTokenPrincipal
            : context.Request.IsAuthorizationCodeGrantType() ? context.AuthorizationCodePrincipal
            : null;
        if (!await GrantMembership.IsCurrentAsync(db, principal, context.CancellationToken))
        {
            context.Reject(Errors.InvalidGrant, "The grant's person no longer belongs to its workspace.");
        }
    }
}
