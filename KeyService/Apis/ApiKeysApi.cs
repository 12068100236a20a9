using AlyAspire.Shared.Credentials;
using AlyAspire.KeyService.Infrastructure;
using AlyAspire.KeyService.Model;
using AlyAspire.KeyService.Services;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Scopes;
using AlyAspire.Shared.Usage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace AlyAspire.KeyService.Apis;

/// <summary>
/// The KeyService's internal HTTP API (<see cref="ApiKeyRoutes"/>): management on behalf of an actor it verifies
/// itself (<see cref="KeyActors"/>), within that actor's ceiling; verification for the agent surfaces; and the bulk
/// revocations of agent-minted keys (grant revoked, person left). Every route requires the platform's service credential.
/// </summary>
public static partial class ApiKeysApi
{
    private const int UsageDays = 30;

    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/internal").RequireAuthorization(InternalServiceAuthentication.Policy);

        var keys = api.MapGroup("/workspaces/{workspaceId:guid}/keys");
        keys.MapGet("/", ListKeysAsync);
        keys.MapGet("/{keyId:guid}", GetKeyAsync);
        keys.MapPost("/", CreateKeyAsync);
        keys.MapPost("/{keyId:guid}/revoke", RevokeKeyAsync);
        keys.MapPost("/{keyId:guid}/roll", RollKeyAsync);

        api.MapPost("/keys/verify", VerifyKeyAsync);
        api.MapPost("/authorizations/{authorizationId}/revoke-keys", RevokeKeysOfAuthorizationAsync);
        api.MapPost("/workspaces/{workspaceId:guid}/people/{userId:guid}/revoke-delegated-keys", RevokeKeysOnBehalfOfAsync);
        return app;
    }

    public static async Task<Results<Ok<List<ApiKeySummary>>, ProblemHttpResult>> ListKeysAsync(
        Guid workspaceId, HttpContext http, [AsParameters] ApiKeyServices services, CancellationToken ct)
    {
        if (await ResolveActorAsync(http, workspaceId, services, requiresManagement: false, ct) is { Refusal: { } refusal })
        {
            return refusal;
        }

        var keys = await services.Db.ApiKeys.AsNoTracking()
            .Where(k => k.WorkspaceId == workspaceId)
            .OrderByDescending(k => k.CreatedAt)
            .ToListAsync(ct);
        var usage = await KeyUsageAsync(services, workspaceId, null, ct);
        return TypedResults.Ok(keys.Select(k => ToSummary(k, usage)).ToList());
    }

    public static async Task<Results<Ok<ApiKeySummary>, ProblemHttpResult>> GetKeyAsync(
        Guid workspaceId, Guid keyId, HttpContext http, [AsParameters] ApiKeyServices services, CancellationToken ct)
    {
        if (await ResolveActorAsync(http, workspaceId, services, requiresManagement: false, ct) is { Refusal: { } refusal })
        {
            return refusal;
        }

        var key = await FindKeyAsync(services, workspaceId, keyId, ct);
        return key is null ? KeyNotFound(keyId) : TypedResults.Ok(ToSummary(key, await KeyUsageAsync(services, workspaceId, keyId, ct)));
    }

    public static async Task<Results<Created<ApiKeyWithSecret>, ValidationProblem, ProblemHttpResult>> CreateKeyAsync(
        Guid workspaceId, CreateApiKeyRequest request, HttpContext http, [AsParameters] ApiKeyServices services, CancellationToken ct)
    {
        var (actor, refusal) = await ResolveActorAsync(http, workspaceId, services, requiresManagement: true, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var now = services.Time.GetStoredUtcNow();
        var name = request.Name?.Trim();
        var scopes = (request.Scopes ?? []).Distinct(StringComparer.Ordinal).ToList();
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(name))
        {
            errors["name"] = ["A name is required."];
        }
        else if (name.Length > ApiKey.NameMaxLength)
        {
            errors["name"] = [$"The name may have at most {ApiKey.NameMaxLength} characters."];
        }

        if (scopes.Count == 0)
        {
            errors["scopes"] = ["At least one scope is required."];
        }

        if (!PlatformProfiles.TryReadOptional(request.PlatformProfile, out var platformProfile))
        {
            errors["platformProfile"] = [PlatformProfiles.InvalidReason];
        }
        else if (actor!.PlatformProfile is { } bound)
        {
            // A credential bound to a platform acts for that platform only, and so does every key it mints: an unbound
            // (or otherwise bound) child would let it act for any platform.
            if (platformProfile is not null && PlatformProfiles.Conflicts(bound, platformProfile))
            {
                errors["platformProfile"] = [$"A credential bound to the platform {bound} mints keys bound to it only."];
            }

            platformProfile = bound;
        }

        // A key minted under an OAuth grant always expires, and no later than the grant (or the delegated key minting it).
        var expiry = request.ExpiresAt?.ToStoredPrecision() ?? actor!.LatestKeyExpiry?.ToStoredPrecision();
        if (expiry is { } expiresAt && expiresAt <= now)
        {
            errors["expiresAt"] = ["The expiry must be in the future."];
        }
        else if (expiry > actor!.LatestKeyExpiry)
        {
            errors["expiresAt"] = [$"A key minted under an OAuth grant expires at the latest on {actor.LatestKeyExpiry:O}."];
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        if (ScopeCatalogue.Unknown(scopes) is { Count: > 0 } unknown)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                type: ProblemTypes.UnknownScope,
                title: "Unknown scope.",
                detail: $"These scopes do not exist: {string.Join(", ", unknown)}.",
                extensions: new Dictionary<string, object?> { ["scopes"] = unknown });
        }

        if (actor!.Beyond(scopes) is { Length: > 0 } beyond)
        {
            return BeyondCeiling(beyond, "grant");
        }

        var secret = ApiKeyFormat.Generate();
        var (displayPrefix, displaySuffix) = ApiKeyFormat.DisplayParts(secret);
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            WorkspaceId = workspaceId,
            CreatedBy = actor.Id,
            Name = name!,
            Scopes = scopes,
            DisplayPrefix = displayPrefix,
            DisplaySuffix = displaySuffix,
            CreatedAt = now,
            ExpiresAt = expiry,
            OnBehalfOfUserId = actor.IsDelegated ? actor.OnBehalfOfUserId : null,
            AuthorizationId = actor.AuthorizationId,
            PlatformProfile = platformProfile,
        };
        key.Secrets.Add(new ApiKeySecret { Id = Guid.CreateVersion7(), Hash = services.Hasher.Hash(secret), CreatedAt = now });
        services.Db.ApiKeys.Add(key);
        services.Db.ApiKeyAuditRecords.Add(Audit(key.Id, key.WorkspaceId, ApiKeyAuditActions.Created, actor, now,
            $"'{key.Name}' with {string.Join(' ', scopes)}" + (key.AuthorizationId is null ? "" : $", minted under grant {key.AuthorizationId}")
            + (platformProfile is null ? "" : $", bound to the UCP platform {platformProfile}")));
        await services.Db.SaveChangesAsync(ct);

        LogKeyChanged(services.Logger, ApiKeyAuditActions.Created, key.Id, workspaceId, actor.Id);
        return TypedResults.Created(ApiKeyRoutes.Key(workspaceId, key.Id), new ApiKeyWithSecret(ToSummary(key), secret));
    }

    /// <summary>
    /// Revokes in one transaction that commits only once Redis holds the revocation marker (and the publish is
    /// out), so when this returns no verifier anywhere accepts the key, cached or not; if Redis refuses, nothing changes.
    /// </summary>
    public static async Task<Results<Ok<ApiKeySummary>, ProblemHttpResult>> RevokeKeyAsync(
        Guid workspaceId, Guid keyId, HttpContext http, [AsParameters] ApiKeyServices services, CancellationToken ct)
    {
        var (actor, refusal) = await ResolveActorAsync(http, workspaceId, services, requiresManagement: true, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        // Revoking a key takes the authority to hold it: an admin cannot revoke (or roll) an owner-only key.
        if (await CeilingRefusalAsync(services, workspaceId, keyId, actor!, "revoke", ct) is { } beyondCeiling)
        {
            return beyondCeiling;
        }

        var db = services.Db;
        try
        {
            var key = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var now = services.Time.GetStoredUtcNow();
                // One conditional UPDATE: atomic against a concurrent roll or revoke (it takes the row's lock).
                var revokedNow = await db.ApiKeys
                    .Where(k => k.WorkspaceId == workspaceId && k.Id == keyId && k.RevokedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now).SetProperty(k => k.RevokedBy, actor!.Id), ct);
                if (revokedNow == 1)
                {
                    db.ApiKeyAuditRecords.Add(Audit(keyId, workspaceId, ApiKeyAuditActions.Revoked, actor!, now));
                    await db.SaveChangesAsync(ct);
                }

                var key = await FindKeyAsync(services, workspaceId, keyId, ct);
                if (key is null)
                {
                    return null;
                }

                // Also for a key revoked before: re-asserts a marker that may have lapsed.
                await services.Revocations.ApiKeyRevokedAsync(key.Id);
                await transaction.CommitAsync(ct);
                return key;
            });

            if (key is null)
            {
                return KeyNotFound(keyId);
            }

            LogKeyChanged(services.Logger, ApiKeyAuditActions.Revoked, key.Id, workspaceId, actor!.Id);
            return TypedResults.Ok(ToSummary(key));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return RevocationSignalFailed(services.Logger, exception, keyId, "The key was not revoked because the revocation signal could not be written. Try again.");
        }
    }

    /// <summary>
    /// A new current secret; every older secret still working ends at the grace expiry at the latest. The key row is
    /// updated first, conditionally, so concurrent rolls and revokes serialise on its lock and a revoked key never
    /// gains a secret.
    /// </summary>
    public static async Task<Results<Ok<ApiKeyWithSecret>, ValidationProblem, ProblemHttpResult>> RollKeyAsync(
        Guid workspaceId, Guid keyId, RollApiKeyRequest? request, HttpContext http, [AsParameters] ApiKeyServices services, CancellationToken ct)
    {
        var (actor, refusal) = await ResolveActorAsync(http, workspaceId, services, requiresManagement: true, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (await CeilingRefusalAsync(services, workspaceId, keyId, actor!, "roll", ct) is { } beyondCeiling)
        {
            return beyondCeiling;
        }

        var graceHours = request?.GracePeriodHours ?? ApiKeyRollGrace.DefaultHours;
        if (graceHours is < 0 or > ApiKeyRollGrace.MaxHours)
        {
            return Invalid(new() { ["gracePeriodHours"] = [$"The grace period must be between 0 and {ApiKeyRollGrace.MaxHours} hours."] });
        }

        var db = services.Db;
        var secret = ApiKeyFormat.Generate();
        var (displayPrefix, displaySuffix) = ApiKeyFormat.DisplayParts(secret);
        var hash = services.Hasher.Hash(secret);
        bool rolled;
        ApiKey? key;
        try
        {
            (rolled, key) = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var now = services.Time.GetStoredUtcNow();
                var graceEnd = now.AddHours(graceHours);
                var rolled = await db.ApiKeys
                    .Where(k => k.WorkspaceId == workspaceId && k.Id == keyId && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now))
                    .ExecuteUpdateAsync(s => s.SetProperty(k => k.DisplayPrefix, displayPrefix).SetProperty(k => k.DisplaySuffix, displaySuffix), ct);
                if (rolled == 1)
                {
                    await db.ApiKeySecrets
                        .Where(s => s.ApiKeyId == keyId && (s.GraceExpiresAt == null || s.GraceExpiresAt > graceEnd))
                        .ExecuteUpdateAsync(s => s.SetProperty(x => x.GraceExpiresAt, graceEnd), ct);
                    if (graceHours == 0)
                    {
                        // No grace: the old secrets end exactly as a revoke ends a key, marker first, or not at all.
                        var ended = await db.ApiKeySecrets
                            .Where(s => s.ApiKeyId == keyId && s.RevocationMarkedAt == null)
                            .Select(s => s.Id).ToListAsync(ct);
                        await services.Revocations.ApiKeySecretsRevokedAsync(keyId, ended);
                        await db.ApiKeySecrets.Where(s => ended.Contains(s.Id))
                            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevocationMarkedAt, now), ct);
                    }

                    db.ApiKeySecrets.Add(new ApiKeySecret { Id = Guid.CreateVersion7(), ApiKeyId = keyId, Hash = hash, CreatedAt = now });
                    db.ApiKeyAuditRecords.Add(Audit(keyId, workspaceId, ApiKeyAuditActions.Rolled, actor!, now));
                    await db.SaveChangesAsync(ct);
                }

                var key = await FindKeyAsync(services, workspaceId, keyId, ct);
                await transaction.CommitAsync(ct);
                return (rolled == 1, key);
            });
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return RevocationSignalFailed(services.Logger, exception, keyId, "The key was not rolled because the old secret's revocation signal could not be written. Try again.");
        }

        if (key is null)
        {
            return KeyNotFound(keyId);
        }

        if (!rolled)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                type: ProblemTypes.Conflict,
                title: "Key cannot be rolled.",
                detail: key.IsRevoked ? "A revoked key cannot be rolled." : "An expired key cannot be rolled.");
        }

        if (graceHours > 0)
        {
            try
            {
                await services.Revocations.ApiKeyRolledAsync(key.Id);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                // Not fatal: caches learn the old secret's grace expiry within their maximum lifetime anyway, and the
                // grace-end job writes its marker when the grace is over.
                LogRollSignalFailed(services.Logger, exception, key.Id);
            }
        }

        LogKeyChanged(services.Logger, ApiKeyAuditActions.Rolled, key.Id, workspaceId, actor!.Id);
        return TypedResults.Ok(new ApiKeyWithSecret(ToSummary(key), secret));
    }

    /// <summary>
    /// Revokes every key minted under an OAuth grant. Called by the AuthServer's outbox when the grant is revoked;
    /// idempotent, and the markers of all such keys are (re-)written before it returns.
    /// </summary>
    public static Task<Results<Ok<BulkRevocationResult>, ProblemHttpResult>> RevokeKeysOfAuthorizationAsync(
        string authorizationId, [AsParameters] ApiKeyServices services, CancellationToken ct) =>
        authorizationId.Length is 0 or > 100
            ? Task.FromResult<Results<Ok<BulkRevocationResult>, ProblemHttpResult>>(TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest, type: ProblemTypes.Validation,
                title: "The request is not valid.", detail: "An authorization id has 1 to 100 characters."))
            : RevokeInBulkAsync(services, k => k.AuthorizationId == authorizationId, $"grant:{authorizationId}", ct);

    /// <summary>Revokes every key agents minted on behalf of a person in a workspace (the person left it). Idempotent.</summary>
    public static Task<Results<Ok<BulkRevocationResult>, ProblemHttpResult>> RevokeKeysOnBehalfOfAsync(
        Guid workspaceId, Guid userId, [AsParameters] ApiKeyServices services, CancellationToken ct) =>
        RevokeInBulkAsync(services, k => k.WorkspaceId == workspaceId && k.OnBehalfOfUserId == userId, $"membership-ended:user:{userId}", ct);

    private static async Task<Results<Ok<BulkRevocationResult>, ProblemHttpResult>> RevokeInBulkAsync(
        ApiKeyServices services, System.Linq.Expressions.Expression<Func<ApiKey, bool>> which, string revokedBy, CancellationToken ct)
    {
        var db = services.Db;
        try
        {
            var revoked = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var now = services.Time.GetStoredUtcNow();
                var keys = await db.ApiKeys.Where(which).Select(k => new { k.Id, k.WorkspaceId, k.RevokedAt }).ToListAsync(ct);
                var live = keys.Where(k => k.RevokedAt is null).Select(k => k.Id).ToList();
                if (live.Count > 0)
                {
                    await db.ApiKeys.Where(k => live.Contains(k.Id) && k.RevokedAt == null)
                        .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now).SetProperty(k => k.RevokedBy, revokedBy), ct);
                    var system = new KeyActor(revokedBy, KeyActorKinds.System, Guid.Empty, [], null, null, null, null);
                    db.ApiKeyAuditRecords.AddRange(keys.Where(k => k.RevokedAt is null)
                        .Select(k => Audit(k.Id, k.WorkspaceId, ApiKeyAuditActions.Revoked, system, now)));
                    await db.SaveChangesAsync(ct);
                }

                // Every such key, also one revoked before: re-asserts markers that may have lapsed.
                foreach (var key in keys)
                {
                    await services.Revocations.ApiKeyRevokedAsync(key.Id);
                }

                await transaction.CommitAsync(ct);
                return live.Count;
            });
            return TypedResults.Ok(new BulkRevocationResult(revoked));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return RevocationSignalFailed(services.Logger, exception, Guid.Empty, "The keys were not revoked because the revocation signals could not be written. Try again.");
        }
    }

    /// <summary>
    /// Secret → key identity, or why not. Offline format check first; then one indexed read by the secret's
    /// HMAC, so no comparison ever touches the secret itself. Uses are counted by the agent surfaces, per request, whatever answered the verification (see UsageApi).
    /// </summary>
    public static async Task<Ok<VerifyApiKeyResponse>> VerifyKeyAsync(
        VerifyApiKeyRequest request, [AsParameters] ApiKeyServices services, CancellationToken ct)
    {
        if (ApiKeyFormat.InvalidReason(ApiKeyFormat.Check(request.Key)) is { } formatReason)
        {
            return TypedResults.Ok(Refused(formatReason));
        }

        var found = await FindSecretByHash(services.Db, services.Hasher.Hash(request.Key), ct);
        if (found is null)
        {
            return TypedResults.Ok(Refused(ApiKeyInvalidReasons.Unknown));
        }

        if (found.RevokedAt is not null)
        {
            return TypedResults.Ok(Refused(ApiKeyInvalidReasons.Revoked));
        }

        var now = services.Time.GetUtcNow();
        var expiresAt = Earliest(found.KeyExpiresAt, found.GraceExpiresAt);
        if (expiresAt <= now)
        {
            return TypedResults.Ok(Refused(ApiKeyInvalidReasons.Expired));
        }

        // A key minted under a grant dies with it at once; the grant's outbox revokes it here durably soon after.
        if (found.AuthorizationId is not null
            && await services.Markers.AnyExistsAsync([RevocationSignals.OAuthAuthorization(found.AuthorizationId)], ct) == true)
        {
            return TypedResults.Ok(Refused(ApiKeyInvalidReasons.Revoked));
        }

        return TypedResults.Ok(new VerifyApiKeyResponse(
            true, null, found.KeyId, found.WorkspaceId, found.CreatedBy, found.Scopes, expiresAt, found.SecretId, found.AuthorizationId, found.PlatformProfile));
    }

    private sealed record FoundSecret(
        Guid KeyId, Guid WorkspaceId, string CreatedBy, List<string> Scopes,
        DateTimeOffset? KeyExpiresAt, DateTimeOffset? GraceExpiresAt, DateTimeOffset? RevokedAt, Guid SecretId, string? AuthorizationId, string? PlatformProfile);

    private static readonly Func<KeysDbContext, byte[], CancellationToken, Task<FoundSecret?>> FindSecretByHash =
        EF.CompileAsyncQuery((KeysDbContext db, byte[] hash, CancellationToken _) => db.ApiKeySecrets
            .Where(s => s.Hash == hash)
            .Select(s => new FoundSecret(
                s.ApiKeyId, s.ApiKey.WorkspaceId, s.ApiKey.CreatedBy, s.ApiKey.Scopes,
                s.ApiKey.ExpiresAt, s.GraceExpiresAt, s.ApiKey.RevokedAt, s.Id, s.ApiKey.AuthorizationId, s.ApiKey.PlatformProfile))
            .FirstOrDefault());

    private static VerifyApiKeyResponse Refused(string reason) => new(false, reason, null, null, null, null, null);

    /// <summary>The actor, verified (<see cref="KeyActors"/>); a change also needs <c>manage:api_keys</c> within its ceiling.</summary>
    private static async Task<(KeyActor? Actor, ProblemHttpResult? Refusal)> ResolveActorAsync(
        HttpContext http, Guid workspaceId, ApiKeyServices services, bool requiresManagement, CancellationToken ct)
    {
        KeyActor? actor;
        KeyActorRefusal? refusal;
        try
        {
            (actor, refusal) = await services.Actors.ResolveAsync(http, workspaceId, ct);
        }
        catch (HttpRequestException exception)
        {
            LogActorUnverifiable(services.Logger, exception);
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                type: ProblemTypes.ServiceUnavailable,
                title: "The actor could not be verified.",
                detail: "The authorization server could not be asked about the acting credential. Try again."));
        }

        if (refusal is not null)
        {
            return (null, TypedResults.Problem(
                statusCode: refusal.Status,
                type: refusal.Status == StatusCodes.Status400BadRequest ? ProblemTypes.Validation : ProblemTypes.Forbidden,
                title: refusal.Title,
                detail: refusal.Detail));
        }

        if (requiresManagement && actor!.Beyond([ScopeCatalogue.ManageApiKeys]) is { Length: > 0 } missing)
        {
            return (null, BeyondCeiling(missing, "manage keys with"));
        }

        return (actor, null);
    }

    /// <summary>403 unless the key's scopes are within the actor's ceiling; a key of another workspace is simply not found.</summary>
    private static async Task<ProblemHttpResult?> CeilingRefusalAsync(
        ApiKeyServices services, Guid workspaceId, Guid keyId, KeyActor actor, string verb, CancellationToken ct)
    {
        var scopes = await services.Db.ApiKeys.AsNoTracking()
            .Where(k => k.WorkspaceId == workspaceId && k.Id == keyId)
            .Select(k => k.Scopes).SingleOrDefaultAsync(ct);
        return scopes is not null && actor.Beyond(scopes) is { Length: > 0 } beyond ? BeyondCeiling(beyond, verb) : null;
    }

    private static ProblemHttpResult BeyondCeiling(string[] missing, string verb) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        type: ProblemTypes.ScopeNotGrantable,
        title: "Beyond the actor's authority.",
        detail: verb == "grant"
            ? $"The caller may not grant these scopes: {string.Join(", ", missing)}."
            : $"The caller may not {verb} a key with these scopes, which it does not hold itself: {string.Join(", ", missing)}.",
        extensions: new Dictionary<string, object?> { ["scopes"] = missing });

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    private static async Task<ApiKey?> FindKeyAsync(ApiKeyServices services, Guid workspaceId, Guid keyId, CancellationToken ct)
    {
        // The workspace is part of every lookup: another workspace's key id is simply not found.
        return await services.Db.ApiKeys.AsNoTracking()
            .SingleOrDefaultAsync(k => k.WorkspaceId == workspaceId && k.Id == keyId, ct);
    }

    private static DateOnly UsageSince(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-(UsageDays - 1));

    /// <summary>The workspace's keys' (or one key's) requests per day over the last <see cref="UsageDays"/> days.</summary>
    private static async Task<ILookup<Guid, ApiKeyDailyUsage>> KeyUsageAsync(ApiKeyServices services, Guid workspaceId, Guid? keyId, CancellationToken ct)
    {
        var since = UsageSince(services.Time);
        var credentialId = keyId?.ToString();
        var rows = await services.Db.CredentialUsage.AsNoTracking()
            .Where(u => u.WorkspaceId == workspaceId && u.CredentialKind == UsageCredentialKinds.ApiKey && u.Day >= since)
            .Where(u => credentialId == null || u.CredentialId == credentialId)
            .OrderBy(u => u.Day)
            .Select(u => new { u.CredentialId, u.Day, u.Allowed, Refused = u.Unauthorized + u.Forbidden + u.CredentialLimited + u.WorkspaceLimited })
            .ToListAsync(ct);
        return rows.ToLookup(r => Guid.Parse(r.CredentialId), r => new ApiKeyDailyUsage(r.Day, r.Allowed, r.Refused));
    }

    private static ApiKeySummary ToSummary(ApiKey key) => ToSummary(key, null);

    private static ApiKeySummary ToSummary(ApiKey key, ILookup<Guid, ApiKeyDailyUsage>? usage) => new(
        key.Id,
        key.WorkspaceId,
        key.Name,
        CredentialFormats.JoinDisplayParts(key.DisplayPrefix, key.DisplaySuffix),
        key.Scopes,
        key.CreatedBy,
        key.CreatedAt,
        key.ExpiresAt,
        key.LastUsedAt,
        key.RevokedAt,
        key.RevokedBy,
        usage is null ? [] : [.. usage[key.Id]],
        key.OnBehalfOfUserId,
        key.AuthorizationId,
        key.PlatformProfile);

    private static ApiKeyAuditRecord Audit(Guid keyId, Guid workspaceId, string action, KeyActor actor, DateTimeOffset at, string? detail = null) => new()
    {
        ApiKeyId = keyId,
        WorkspaceId = workspaceId,
        Action = action,
        Actor = actor.Id,
        ActorKind = actor.Kind,
        Detail = detail,
        SourceIp = actor.SourceIp,
        OccurredAt = at,
    };

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, type: ProblemTypes.Validation, title: "The request is not valid.");

    private static ProblemHttpResult KeyNotFound(Guid keyId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        type: ProblemTypes.NotFound,
        title: "Key not found.",
        detail: $"This workspace has no key {keyId}.");

    [LoggerMessage(LogLevel.Information, "API key {KeyId} of workspace {WorkspaceId} {Action} by {Actor}")]
    private static partial void LogKeyChanged(ILogger logger, string action, Guid keyId, Guid workspaceId, string actor);

    /// <summary>A revocation signal Redis did not take: nothing changed (the change was not committed), so 503 and try again.</summary>
    private static ProblemHttpResult RevocationSignalFailed(ILogger logger, Exception exception, Guid keyId, string detail)
    {
        LogRevocationSignalFailed(logger, exception, keyId);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            type: ProblemTypes.ServiceUnavailable,
            title: "Revocation could not be signalled.",
            detail: detail);
    }

    [LoggerMessage(LogLevel.Error, "Revoking API key {KeyId} failed: the revocation marker could not be written")]
    private static partial void LogRevocationSignalFailed(ILogger logger, Exception exception, Guid keyId);

    [LoggerMessage(LogLevel.Warning, "The acting OAuth token could not be introspected")]
    private static partial void LogActorUnverifiable(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Signalling the roll of API key {KeyId} failed")]
    private static partial void LogRollSignalFailed(ILogger logger, Exception exception, Guid keyId);
}
