using AlyAspire.AgentGate;
using System.Security.Cryptography;
using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.AuthServer.OAuth;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Scopes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AlyAspire.AuthServer.MachineClients;

/// <summary>What the dashboard shows of a machine client: never a secret.</summary>
public sealed record MachineClientView(
    Guid Id, string ClientId, string Name, IReadOnlyList<string> Scopes, string SecretDisplay,
    DateTimeOffset CreatedAt, DateTimeOffset? RotatedAt, DateTimeOffset? PreviousSecretValidUntil, string? PlatformProfile);

/// <summary>The outcome of a change: the client and its new secret (shown once), or why nothing changed.</summary>
public sealed record MachineClientChange(MachineClientView? Client, string? Secret, string? Error, bool NotFound = false)
{
    public static MachineClientChange Refused(string error) => new(null, null, error);

    public static MachineClientChange Missing { get; } = new(null, null, "No such machine client in this workspace.", NotFound: true);
}

/// <summary>Who asks, and what their role lets them grant.</summary>
public sealed record MachineClientActor(Guid UserId, IReadOnlyCollection<string> RoleScopes);

/// <summary>
/// Creates, rotates and deletes a workspace's machine clients: an OpenIddict application allowed the
/// <c>client_credentials</c> grant and nothing else, a standing authorization for its tokens, and the
/// <see cref="MachineClient"/> row that binds both to the workspace.
/// </summary>
public sealed class MachineClientService(
    AuthDbContext db,
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations,
    RevocationPublisher signals,
    IOptions<OAuthServerOptions> oauth,
    TimeProvider time)
{
    public const int MaxNameLength = 100;

    /// <summary>The longest grace period a rotated secret may keep working, as for API keys.</summary>
    public const int MaxGraceHours = 168;

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public async Task<IReadOnlyList<MachineClientView>> ListAsync(Guid workspaceId, CancellationToken ct) =>
        (await db.MachineClients.AsNoTracking().Where(c => c.WorkspaceId == workspaceId).OrderBy(c => c.CreatedAt).ToListAsync(ct))
            .Select(View).ToList();

    /// <param name="platformProfile">Optional: the https URL of the UCP platform (shopping agent) profile the client is
    /// issued to (UCP's identity binding), checked and stored as for API keys.</param>
    public async Task<MachineClientChange> CreateAsync(
        Guid workspaceId, MachineClientActor actor, string? name, IReadOnlyCollection<string>? scopes, string? platformProfile, CancellationToken ct)
    {
        name = name?.Trim() ?? string.Empty;
        var requested = (scopes ?? []).Distinct(StringComparer.Ordinal).ToArray();
        if (name.Length is 0 or > MaxNameLength)
        {
            return MachineClientChange.Refused($"Give the machine client a name of 1 to {MaxNameLength} characters.");
        }

        if (requested.Length == 0)
        {
            return MachineClientChange.Refused("Choose at least one scope.");
        }

        if (ScopeCatalogue.Unknown(requested) is { Count: > 0 } unknown)
        {
            return MachineClientChange.Refused($"Unknown scopes: {string.Join(", ", unknown)}.");
        }

        if (!PlatformProfiles.TryReadOptional(platformProfile, out var profile))
        {
            return MachineClientChange.Refused(PlatformProfiles.InvalidReason);
        }

        // Nobody hands out more than their role allows.
        if (requested.Where(s => !actor.RoleScopes.Contains(s)).ToArray() is { Length: > 0 } beyond)
        {
            return MachineClientChange.Refused($"Your role cannot grant: {string.Join(", ", beyond)}.");
        }

        var clientId = "mc_" + Random(22);
        var secret = CredentialFormats.MachineClientSecretPrefix + Random(43);
        var now = time.GetUtcNow();
        var client = await InTransactionAsync(async () =>
        {
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = clientId,
                ClientSecret = secret,
                ClientType = ClientTypes.Confidential,
                DisplayName = name,
                Permissions =
                {
                    Permissions.Endpoints.Token,
                    Permissions.Endpoints.Introspection,
                    Permissions.Endpoints.Revocation,
                    Permissions.GrantTypes.ClientCredentials,
                },
            };
            descriptor.Permissions.UnionWith(requested.Select(s => Permissions.Prefixes.Scope + s));
            descriptor.Permissions.UnionWith(oauth.Value.Resources.Select(r => Permissions.Prefixes.Resource + r));
            var application = await applications.CreateAsync(descriptor, ct);
            var applicationId = (await applications.GetIdAsync(application, ct))!;

            var standing = new OpenIddictAuthorizationDescriptor
            {
                ApplicationId = applicationId,
                CreationDate = now,
                Status = Statuses.Valid,
                Subject = clientId,
                Type = AuthorizationTypes.Permanent,
            };
            standing.Scopes.UnionWith(requested);
            standing.SetWorkspace(workspaceId);
            var authorization = await authorizations.CreateAsync(standing, ct);

            var row = new MachineClient
            {
                Id = Guid.CreateVersion7(now),
                WorkspaceId = workspaceId,
                ClientId = clientId,
                ApplicationId = applicationId,
                AuthorizationId = (await authorizations.GetIdAsync(authorization, ct))!,
                Name = name,
                Scopes = requested,
                CreatedBy = $"user:{actor.UserId}",
                CreatedAt = now,
                SecretDisplay = CredentialFormats.DisplayForm(secret),
                PlatformProfile = profile,
            };
            db.MachineClients.Add(row);
            await db.SaveChangesAsync(ct);
            return row;
        }, ct);
        return new MachineClientChange(View(client), secret, null);
    }

    /// <summary>
    /// A new secret, shown once. The old one keeps working for <paramref name="graceHours"/> (0: not one request
    /// more), so whoever runs the client can deploy the new secret first.
    /// </summary>
    public async Task<MachineClientChange> RotateAsync(Guid workspaceId, Guid id, int? graceHours, CancellationToken ct)
    {
        var hours = graceHours ?? 24;
        if (hours is < 0 or > MaxGraceHours)
        {
            return MachineClientChange.Refused($"The grace period must be between 0 and {MaxGraceHours} hours.");
        }

        var secret = CredentialFormats.MachineClientSecretPrefix + Random(43);
        var now = time.GetUtcNow();
        var client = await InTransactionAsync(async () =>
        {
            var row = await db.MachineClients.SingleOrDefaultAsync(c => c.Id == id && c.WorkspaceId == workspaceId, ct);
            if (row is null || await applications.FindByIdAsync(row.ApplicationId, ct) is not OpenIddictEntityFrameworkCoreApplication application)
            {
                return null;
            }

            // The stored hash of the secret being replaced: the application manager accepts it until the grace ends.
            row.PreviousSecretHash = hours > 0 ? application.ClientSecret : null;
            row.PreviousSecretValidUntil = hours > 0 ? now.AddHours(hours) : null;
            row.RotatedAt = now;
            row.SecretDisplay = CredentialFormats.DisplayForm(secret);
            await applications.UpdateAsync(application, secret, ct);
            await db.SaveChangesAsync(ct);
            return row;
        }, ct);
        return client is null ? MachineClientChange.Missing : new MachineClientChange(View(client), secret, null);
    }

    /// <summary>
    /// Deletes the client, its authorization and its tokens. The authorization's revocation marker is set first, so
    /// no resource server's cache accepts one of its tokens on the next request, whatever happens after.
    /// </summary>
    public async Task<MachineClientChange> DeleteAsync(Guid workspaceId, Guid id, CancellationToken ct)
    {
        var row = await db.MachineClients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && c.WorkspaceId == workspaceId, ct);
        if (row is null)
        {
            return MachineClientChange.Missing;
        }

        await signals.OAuthAuthorizationRevokedAsync(row.AuthorizationId);
        await InTransactionAsync(async () =>
        {
            // The OpenIddict store deletes the application's authorizations and tokens with it.
            if (await applications.FindByIdAsync(row.ApplicationId, ct) is { } application)
            {
                await applications.DeleteAsync(application, ct);
            }

            await db.MachineClients.Where(c => c.Id == row.Id).ExecuteDeleteAsync(ct);
            return true;
        }, ct);
        return new MachineClientChange(View(row), null, null);
    }

    private async Task<T> InTransactionAsync<T>(Func<Task<T>> work, CancellationToken ct) =>
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var result = await work();
            await transaction.CommitAsync(ct);
            return result;
        });

    private static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);

    private static MachineClientView View(MachineClient c) =>
        new(c.Id, c.ClientId, c.Name, c.Scopes, c.SecretDisplay, c.CreatedAt, c.RotatedAt, c.PreviousSecretValidUntil, c.PlatformProfile);
}
