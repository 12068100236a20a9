using AlyAspire.AuthServer.Infrastructure;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// OpenIddict's Entity Framework application store, with the lookup every authenticated client request makes (by
/// client id) as a compiled query: the same SQL and the same tracked entity, without building, funcletizing and
/// hashing the LINQ expression again on every request.
/// </summary>
public sealed class CompiledLookupApplicationStore(
    IMemoryCache cache, IOpenIddictEntityFrameworkCoreContext context, IOptionsMonitor<OpenIddictEntityFrameworkCoreOptions> options)
    : OpenIddictEntityFrameworkCoreApplicationStore<OpenIddictEntityFrameworkCoreApplication, OpenIddictEntityFrameworkCoreAuthorization, OpenIddictEntityFrameworkCoreToken, string>(cache, context, options)
{
    private static readonly Func<AuthDbContext, string, CancellationToken, Task<OpenIddictEntityFrameworkCoreApplication?>> ByClientId =
        EF.CompileAsyncQuery((AuthDbContext db, string clientId, CancellationToken _) =>
            db.Set<OpenIddictEntityFrameworkCoreApplication>().AsTracking().FirstOrDefault(application => application.ClientId == clientId));

    public override async ValueTask<OpenIddictEntityFrameworkCoreApplication?> FindByClientIdAsync(string identifier, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (await Context.GetDbContextAsync(cancellationToken) is not AuthDbContext db)
        {
            return await base.FindByClientIdAsync(identifier, cancellationToken);
        }

        // As OpenIddict's store: an entity this request already tracks is the one returned.
        return db.ChangeTracker.Entries<OpenIddictEntityFrameworkCoreApplication>()
                   .Select(entry => entry.Entity)
                   .FirstOrDefault(application => string.Equals(application.ClientId, identifier, StringComparison.Ordinal))
               ?? await ByClientId(db, identifier, cancellationToken);
    }
}

/// <summary>
/// OpenIddict's Entity Framework token store, with the lookup of every presented reference token (by its hashed
/// reference id, with its application and authorization, in one round trip) as a compiled query, and an entry
/// written in one statement, new (<see cref="InsertAsync"/>) or changed (<see cref="UpdateAsync"/>).
/// </summary>
public sealed class CompiledLookupTokenStore(
    IMemoryCache cache, IOpenIddictEntityFrameworkCoreContext context, IOptionsMonitor<OpenIddictEntityFrameworkCoreOptions> options)
    : OpenIddictEntityFrameworkCoreTokenStore<OpenIddictEntityFrameworkCoreToken, OpenIddictEntityFrameworkCoreApplication, OpenIddictEntityFrameworkCoreAuthorization, string>(cache, context, options)
{
    private static readonly Func<AuthDbContext, string, CancellationToken, Task<OpenIddictEntityFrameworkCoreToken?>> ByReferenceId =
        EF.CompileAsyncQuery((AuthDbContext db, string referenceId, CancellationToken _) =>
            db.Set<OpenIddictEntityFrameworkCoreToken>()
                .Include(token => token.Application)
                .Include(token => token.Authorization)
                .AsTracking()
                .FirstOrDefault(token => token.ReferenceId == referenceId));

    public override async ValueTask<OpenIddictEntityFrameworkCoreToken?> FindByReferenceIdAsync(string identifier, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (await Context.GetDbContextAsync(cancellationToken) is not AuthDbContext db)
        {
            return await base.FindByReferenceIdAsync(identifier, cancellationToken);
        }

        return db.ChangeTracker.Entries<OpenIddictEntityFrameworkCoreToken>()
                   .Select(entry => entry.Entity)
                   .FirstOrDefault(token => string.Equals(token.ReferenceId, identifier, StringComparison.Ordinal))
               ?? await ByReferenceId(db, identifier, cancellationToken);
    }

    /// <summary>
    /// Inserts a complete token entry in one statement, without the change tracker: what <c>SaveChanges</c> would
    /// write for a new entry (its own concurrency token, no redemption yet), minus tracking the entry, its application
    /// and its authorization, which was most of a token grant's EF Core work (bench/Peers profile). The entry is not
    /// tracked afterwards; OpenIddict attaches an entry it updates later.
    /// </summary>
    public async ValueTask InsertAsync(string id, OpenIddictTokenDescriptor descriptor, string? hashedReferenceId, CancellationToken cancellationToken)
    {
        var db = await Context.GetDbContextAsync(cancellationToken);
        var properties = descriptor.Properties.Count == 0 ? null : JsonSerializer.Serialize(descriptor.Properties);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "OpenIddictTokens" ("Id", "ApplicationId", "AuthorizationId", "ConcurrencyToken", "CreationDate", "ExpirationDate",
                                            "Payload", "Properties", "RedemptionDate", "ReferenceId", "Status", "Subject", "Type")
            VALUES ({id}, {descriptor.ApplicationId}, {descriptor.AuthorizationId}, {Guid.NewGuid().ToString()},
                    {descriptor.CreationDate?.UtcDateTime}, {descriptor.ExpirationDate?.UtcDateTime},
                    {descriptor.Payload}, {properties}, NULL, {hashedReferenceId}, {descriptor.Status}, {descriptor.Subject}, {descriptor.Type})
            """, cancellationToken);
    }

    /// <summary>
    /// Writes a changed entry (a redemption, a revocation) in one statement, with OpenIddict's concurrency check: the
    /// row must still carry the concurrency token read with it, and gets a new one. What OpenIddict's store does with
    /// <c>Update</c> and <c>SaveChanges</c>, minus the change tracker's work, which was most of a refresh's EF Core
    /// work after its lookup (bench/Peers profile); the entry stays tracked, as it was written.
    /// </summary>
    public override async ValueTask UpdateAsync(OpenIddictEntityFrameworkCoreToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var db = await Context.GetDbContextAsync(cancellationToken);
        var entry = db.Attach(token);
        // The foreign keys as SaveChanges would write them: a navigation set since the read counts.
        entry.DetectChanges();
        var read = (string?)entry.OriginalValues[nameof(token.ConcurrencyToken)];
        var written = Guid.NewGuid().ToString();
        token.ConcurrencyToken = written;
        var applicationId = (string?)entry.Property("ApplicationId").CurrentValue;
        var authorizationId = (string?)entry.Property("AuthorizationId").CurrentValue;
        var updated = await db.Database.ExecuteSqlAsync($"""
            UPDATE "OpenIddictTokens"
            SET "ApplicationId" = {applicationId}, "AuthorizationId" = {authorizationId}, "ConcurrencyToken" = {written},
                "CreationDate" = {token.CreationDate}, "ExpirationDate" = {token.ExpirationDate}, "Payload" = {token.Payload},
                "Properties" = {token.Properties}, "RedemptionDate" = {token.RedemptionDate}, "ReferenceId" = {token.ReferenceId},
                "Status" = {token.Status}, "Subject" = {token.Subject}, "Type" = {token.Type}
            WHERE "Id" = {token.Id} AND "ConcurrencyToken" IS NOT DISTINCT FROM {read}
            """, cancellationToken);
        if (updated == 0)
        {
            // Out of this context: a later SaveChanges (revoking the grant, say) would try to write it again, and fail.
            entry.State = EntityState.Detached;
            throw new OpenIddictExceptions.ConcurrencyException("The token was changed concurrently; read it again before changing it.");
        }

        entry.OriginalValues.SetValues(entry.CurrentValues);
        entry.State = EntityState.Unchanged;
    }
}
