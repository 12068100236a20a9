using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// Takes the place of OpenIddict's <c>CreateTokenEntry</c> step. OpenIddict inserts a token's entry before the token
/// is generated (the token carries the entry's id) and updates it with the payload and reference id right after: two
/// writes, two commits, per token issued. The entry's id is a GUID made in memory, so for a token whose payload is
/// persisted (every reference token: <see cref="PrefixedReferenceTokenHandler"/> then writes it) the entry is only
/// prepared here, its id given to the token, and inserted once, complete, in one statement when the payload is
/// attached (<see cref="RevocationSignalingTokenManager.InsertAsync"/>). Other tokens get their entry at once, as
/// OpenIddict does.
/// </summary>
public sealed class DeferredTokenEntryHandler(IOpenIddictApplicationManager applications, IOpenIddictTokenManager tokens)
    : IOpenIddictServerHandler<GenerateTokenContext>
{
    private const string PendingPrefix = "alyaspire:pending-token-entry:";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireDegradedModeDisabled>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireTokenStorageEnabled>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireTokenEntryCreated>()
            .UseScopedHandler<DeferredTokenEntryHandler>()
            .SetOrder(OpenIddictServerHandlers.Protection.CreateTokenEntry.Descriptor.Order)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    private const string ClientApplicationIdProperty = "alyaspire:client-application-id";

    /// <summary>A prepared entry: its id (already given to the token) and what it will be written with.</summary>
    public sealed record PendingEntry(string Id, OpenIddictTokenDescriptor Descriptor);

    /// <summary>
    /// Tells this request's token entries their client's application id, read already by whoever answers the request
    /// (<see cref="ClientCredentialsTokenIssuer"/>), so it is not looked up again.
    /// </summary>
    public static void SetClientApplicationId(OpenIddictServerTransaction transaction, string applicationId) =>
        transaction.SetProperty(ClientApplicationIdProperty, applicationId);

    public async ValueTask HandleAsync(GenerateTokenContext context)
    {
        var descriptor = new OpenIddictTokenDescriptor
        {
            AuthorizationId = context.Principal.GetAuthorizationId(),
            CreationDate = context.Principal.GetCreationDate(),
            ExpirationDate = context.Principal.GetExpirationDate(),
            Principal = context.Principal,
            Type = context.TokenType,
            // As OpenIddict: a device code waits for approval; device and user codes have no subject until then.
            Status = context.TokenType == TokenTypeIdentifiers.Private.DeviceCode ? Statuses.Inactive : Statuses.Valid,
            Subject = context.TokenType is TokenTypeIdentifiers.Private.DeviceCode or TokenTypeIdentifiers.Private.UserCode
                ? null : context.Principal.GetClaim(Claims.Subject),
        };

        if (context.Transaction.GetProperty<string>(ClientApplicationIdProperty) is { } known)
        {
            descriptor.ApplicationId = known;
        }
        else if (!string.IsNullOrEmpty(context.ClientId))
        {
            var application = await applications.FindByClientIdAsync(context.ClientId)
                ?? throw new InvalidOperationException("The client of the token could not be found.");
            descriptor.ApplicationId = await applications.GetIdAsync(application);
        }

        // User codes are checked for collisions against stored entries before theirs is written: not deferred.
        if (!context.PersistTokenPayload || context.TokenType == TokenTypeIdentifiers.Private.UserCode)
        {
            var created = await tokens.CreateAsync(descriptor);
            context.Principal.SetTokenId(await tokens.GetIdAsync(created));
            return;
        }

        // A GUID, as OpenIddict's own entries get.
        var identifier = Guid.NewGuid().ToString();
        context.Transaction.SetProperty(PendingPrefix + identifier, new PendingEntry(identifier, descriptor));
        context.Principal.SetTokenId(identifier);
    }

    /// <summary>The prepared entry of a token, if its insert was deferred; it is handed out once.</summary>
    public static PendingEntry? Take(OpenIddictServerTransaction transaction, string identifier)
    {
        var key = PendingPrefix + identifier;
        var pending = transaction.GetProperty<PendingEntry>(key);
        if (pending is not null)
        {
            transaction.Properties.Remove(key);
        }

        return pending;
    }
}
