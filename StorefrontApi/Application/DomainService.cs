using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AlyAspire.StorefrontApi.Application;

/// <param name="Status"><c>pending_verification</c>, <c>verified</c> or <c>expired</c> (a pending claim past its expiry).</param>
/// <param name="VerificationName">Where the TXT record goes: <c>_alyaspire.{host}</c>, with <paramref name="VerificationRecord"/> as its value.</param>
public sealed record DomainView(
    Guid Id, Guid SiteId, string HostName, string Status, string VerificationName, string VerificationRecord,
    DateTimeOffset AttachedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? VerifiedAt);

public sealed record AttachDomainRequest(Guid SiteId, string? HostName);

/// <summary>Custom domains (section <c>Domains</c>).</summary>
public sealed class DomainOptions
{
    public const string Section = "Domains";

    /// <summary>How long an unverified claim holds; after that it blocks nobody and cannot be verified.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan PendingClaimLifetime { get; set; } = TimeSpan.FromHours(72);

    /// <summary>A DNS server (<c>host:port</c>) to ask instead of the system's resolvers.</summary>
    public string? DnsServer { get; set; }
}

/// <summary>TXT records of a DNS name, as a real resolver sees them.</summary>
public interface IDnsTxtResolver
{
    /// <returns>Every TXT string of <paramref name="name"/> (none when it has none or does not exist).</returns>
    /// <exception cref="DnsLookupException">The lookup itself failed (timeout, server failure).</exception>
    Task<IReadOnlyList<string>> ResolveTxtAsync(string name, CancellationToken ct);
}

public sealed class DnsLookupException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Custom domains of the workspace's sites. A claim is pending until the workspace proves it holds the name with a
/// DNS TXT record; a pending claim expires (<see cref="DomainOptions.PendingClaimLifetime"/>) and never stops another
/// workspace from claiming the same name. The first verified claim wins: the name is then the workspace's alone
/// (one verified claim per name, by a unique index) and every pending claim on it is removed.
/// </summary>
public sealed class DomainService(StoreDbContext db, ActivityFeed activity, IDnsTxtResolver dns, IOptions<DomainOptions> options, TimeProvider time)
{
    public const string VerificationLabel = "_alyaspire";

    public async Task<IReadOnlyList<DomainView>> ListAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var domains = await db.Domains.AsNoTracking().OrderBy(d => d.HostName).ToListAsync(ct);
        return domains.Select(d => ToView(d, now)).ToList();
    }

    public async Task<StoreResult<DomainView>> AttachAsync(AttachDomainRequest request, CancellationToken ct)
    {
        var host = request.HostName?.Trim().TrimEnd('.').ToLowerInvariant();
        if (host is null || Uri.CheckHostName(host) != UriHostNameType.Dns || !host.Contains('.', StringComparison.Ordinal) || host.Length > 253)
        {
            return StoreError.Invalid("hostName", "hostName must be a DNS name such as shop.example.com.");
        }

        if (!await db.Sites.AnyAsync(s => s.Id == request.SiteId, ct))
        {
            return StoreError.NotFound("The site");
        }

        var now = time.GetUtcNow();
        // Whose a verified name is stays private: the same answer whichever workspace holds it.
        if (await db.Domains.IgnoreQueryFilters().AnyAsync(d => d.HostName == host && d.Status == DomainStatus.Verified, ct))
        {
            return StoreError.Conflict($"The domain {host} is already attached to a site.");
        }

        if (await db.Domains.FirstOrDefaultAsync(d => d.HostName == host, ct) is { } own)
        {
            if (own.ExpiresAt > now)
            {
                return StoreError.Conflict($"The domain {host} is already attached to a site of this workspace and waits for verification.");
            }

            db.Domains.Remove(own); // an expired claim of ours: claimed afresh below
        }

        var domain = new CustomDomain
        {
            Id = Guid.CreateVersion7(now), SiteId = request.SiteId, HostName = host, Status = DomainStatus.PendingVerification,
            VerificationRecord = "aly-verify=" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), AttachedAt = now,
            ExpiresAt = now + options.Value.PendingClaimLifetime,
        };
        db.Domains.Add(domain);
        activity.Record("domain.attached", $"Domain {host} attached, pending verification", domain.Id);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Claimed by this workspace at the same moment, or verified by another one in between.
            return StoreError.Conflict($"The domain {host} is already attached to a site.");
        }

        return ToView(domain, now);
    }

    /// <summary>Looks up <c>_alyaspire.{host}</c> TXT; with the claim's record there the claim is verified and wins.</summary>
    public async Task<StoreResult<DomainView>> VerifyAsync(Guid id, CancellationToken ct)
    {
        var domain = await db.Domains.FirstOrDefaultAsync(d => d.Id == id, ct);
        if (domain is null)
        {
            return StoreError.NotFound("The domain");
        }

        var now = time.GetUtcNow();
        if (domain.Status == DomainStatus.Verified)
        {
            return ToView(domain, now);
        }

        if (domain.ExpiresAt <= now)
        {
            return StoreError.Conflict($"The claim on {domain.HostName} expired unverified; attach the domain again for a new record.");
        }

        var name = $"{VerificationLabel}.{domain.HostName}";
        IReadOnlyList<string> records;
        try
        {
            records = await dns.ResolveTxtAsync(name, ct);
        }
        catch (DnsLookupException)
        {
            return StoreError.Conflict($"The DNS lookup of {name} failed; try again shortly.");
        }

        if (!records.Contains(domain.VerificationRecord, StringComparer.Ordinal))
        {
            return StoreError.Conflict($"No TXT record \"{domain.VerificationRecord}\" was found at {name}. Publish it and verify again.");
        }

        var strategy = db.Database.CreateExecutionStrategy();
        try
        {
            await strategy.ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                domain.Status = DomainStatus.Verified;
                domain.VerifiedAt = now;
                domain.ExpiresAt = null;
                activity.Record("domain.verified", $"Domain {domain.HostName} verified", domain.Id);
                await db.SaveChangesAsync(ct);
                // The verified claim wins: every other workspace's pending claim on the name goes.
                await db.Domains.IgnoreQueryFilters()
                    .Where(d => d.HostName == domain.HostName && d.Id != domain.Id && d.Status != DomainStatus.Verified)
                    .ExecuteDeleteAsync(ct);
                await transaction.CommitAsync(ct);
            });
        }
        catch (DbUpdateException)
        {
            return StoreError.Conflict($"The domain {domain.HostName} was verified by another workspace first.");
        }

        return ToView(domain, now);
    }

    public async Task<StoreResult<bool>> DetachAsync(Guid id, CancellationToken ct)
    {
        var domain = await db.Domains.FirstOrDefaultAsync(d => d.Id == id, ct);
        if (domain is null)
        {
            return StoreError.NotFound("The domain");
        }

        db.Domains.Remove(domain);
        activity.Record("domain.detached", $"Domain {domain.HostName} detached", domain.Id);
        await db.SaveChangesAsync(ct);
        return true;
    }

    private static DomainView ToView(CustomDomain d, DateTimeOffset now) => new(
        d.Id, d.SiteId, d.HostName,
        d.Status == DomainStatus.PendingVerification && d.ExpiresAt <= now ? DomainStatus.Expired : d.Status,
        $"{VerificationLabel}.{d.HostName}", d.VerificationRecord, d.AttachedAt, d.ExpiresAt, d.VerifiedAt);
}
