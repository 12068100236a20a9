using System.Security.Cryptography;
using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.StorefrontApi.Authentication;
using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Apis;

public sealed record DomainView(Guid Id, Guid SiteId, string HostName, string Status, string VerificationRecord, DateTimeOffset AttachedAt);

public sealed record AttachDomainRequest(Guid SiteId, string? HostName);

public static class DomainsApi
{
    public static RouteGroupBuilder MapDomainsApi(this RouteGroupBuilder merchant)
    {
        var domains = merchant.MapGroup("/domains").WithTags("Domains");
        domains.MapGet("/", ListDomains).RequireScope(ScopeCatalogue.ManageDomains).WithSummary("List custom domains");
        domains.MapPost("/", AttachDomain).RequireScope(ScopeCatalogue.ManageDomains).WithSummary("Attach a custom domain to a site (pending DNS verification)");
        domains.MapDelete("/{id:guid}", DetachDomain).RequireScope(ScopeCatalogue.ManageDomains).WithSummary("Detach a custom domain");
        return merchant;
    }

    public static async Task<Ok<List<DomainView>>> ListDomains(StoreDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await db.Domains.AsNoTracking().OrderBy(d => d.HostName)
            .Select(d => new DomainView(d.Id, d.SiteId, d.HostName, d.Status, d.VerificationRecord, d.AttachedAt)).ToListAsync(ct));

    public static async Task<Results<Created<DomainView>, ProblemHttpResult>> AttachDomain(
        AttachDomainRequest request, StoreDbContext db, ActivityFeed activity, TimeProvider time, CancellationToken ct)
    {
        var host = request.HostName?.Trim().TrimEnd('.').ToLowerInvariant();
        if (host is null || Uri.CheckHostName(host) != UriHostNameType.Dns || !host.Contains('.', StringComparison.Ordinal) || host.Length > 253)
        {
            return StoreResults.Invalid("hostName", "hostName must be a DNS name such as shop.example.com.");
        }

        if (!await db.Sites.AnyAsync(s => s.Id == request.SiteId, ct))
        {
            return StoreResults.NotFound("The site was not found.");
        }

        var domain = new CustomDomain
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()), SiteId = request.SiteId, HostName = host, Status = DomainStatus.PendingVerification,
            VerificationRecord = "aly-verify=" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), AttachedAt = time.GetUtcNow(),
        };
        db.Domains.Add(domain);
        activity.Record("domain.attached", $"Domain {host} attached", domain.Id);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Host names are unique platform-wide; whose it is stays private.
            return StoreResults.Conflict($"The domain {host} is already attached to a site.");
        }

        return TypedResults.Created($"{MerchantApi.BasePath}/domains/{domain.Id}",
            new DomainView(domain.Id, domain.SiteId, domain.HostName, domain.Status, domain.VerificationRecord, domain.AttachedAt));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DetachDomain(Guid id, StoreDbContext db, ActivityFeed activity, CancellationToken ct)
    {
        var domain = await db.Domains.FirstOrDefaultAsync(d => d.Id == id, ct);
        if (domain is null)
        {
            return StoreResults.NotFound("The domain was not found.");
        }

        db.Domains.Remove(domain);
        activity.Record("domain.detached", $"Domain {domain.HostName} detached", domain.Id);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
