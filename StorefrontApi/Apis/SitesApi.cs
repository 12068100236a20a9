using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.StorefrontApi.Authentication;
using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Apis;

public sealed record SiteView(
    Guid Id, string Name, string Subdomain, string Theme, string Currency, string Locale, string? SeoTitle, string? SeoDescription,
    bool IsPublished, DateTimeOffset? PublishedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record CreateSiteRequest(string? Name, string? Subdomain, string? Theme);

public sealed record UpdateSiteSettingsRequest(string? Name, string? Theme, string? Currency, string? Locale, string? SeoTitle, string? SeoDescription);

/// <summary>Sites: settings and theme (read/write:sites), publishing (write:sites), deletion (delete:sites).</summary>
public static class SitesApi
{
    private static readonly string[] Themes = ["aurora", "harbor", "minimal", "bold", "classic"];

    public static RouteGroupBuilder MapSitesApi(this RouteGroupBuilder merchant)
    {
        var sites = merchant.MapGroup("/sites").WithTags("Sites");
        sites.MapGet("/", ListSites).RequireScope(ScopeCatalogue.ReadSites).WithSummary("List the workspace's sites");
        sites.MapGet("/{id:guid}", GetSite).RequireScope(ScopeCatalogue.ReadSites).WithSummary("Get a site's settings and theme");
        sites.MapPost("/", CreateSite).RequireScope(ScopeCatalogue.WriteSites).WithSummary("Create an unpublished site");
        sites.MapPatch("/{id:guid}/settings", UpdateSettings).RequireScope(ScopeCatalogue.WriteSites).WithSummary("Change a site's settings and theme");
        sites.MapPost("/{id:guid}/publish", Publish).RequireScope(ScopeCatalogue.WriteSites).WithSummary("Publish a site");
        sites.MapPost("/{id:guid}/unpublish", Unpublish).RequireScope(ScopeCatalogue.WriteSites).WithSummary("Take a site offline");
        sites.MapDelete("/{id:guid}", DeleteSite).RequireScope(ScopeCatalogue.DeleteSites).WithSummary("Delete a site and detach its domains");
        return merchant;
    }

    public static async Task<Ok<List<SiteView>>> ListSites(StoreDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await db.Sites.AsNoTracking().OrderBy(s => s.CreatedAt).ToListAsync(ct)).Select(ToView).ToList());

    public static async Task<Results<Ok<SiteView>, ProblemHttpResult>> GetSite(Guid id, StoreDbContext db, CancellationToken ct) =>
        await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) is { } site ? TypedResults.Ok(ToView(site)) : StoreResults.NotFound("The site was not found.");

    public static async Task<Results<Created<SiteView>, ProblemHttpResult>> CreateSite(
        CreateSiteRequest request, StoreDbContext db, ActivityFeed activity, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 120)
        {
            return StoreResults.Invalid("name", "name is required (at most 120 characters).");
        }

        var subdomain = (request.Subdomain ?? StoreSeed.Handle(request.Name)).ToLowerInvariant();
        if (subdomain.Length is < 3 or > 63 || subdomain.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-')) || subdomain.StartsWith('-'))
        {
            return StoreResults.Invalid("subdomain", "subdomain must be 3-63 lower-case letters, digits or dashes.");
        }

        var theme = request.Theme ?? "minimal";
        if (!Themes.Contains(theme))
        {
            return StoreResults.Invalid("theme", $"theme must be one of: {string.Join(", ", Themes)}.");
        }

        var settings = await db.WorkspaceSettings.AsNoTracking().FirstOrDefaultAsync(ct);
        var now = time.GetUtcNow();
        var site = new Site
        {
            Id = Guid.CreateVersion7(now), Name = request.Name.Trim(), Subdomain = subdomain, Theme = theme, Currency = settings?.DefaultCurrency ?? "EUR",
            Locale = "en-GB", CreatedAt = now, UpdatedAt = now,
        };
        db.Sites.Add(site);
        activity.Record("site.created", $"Site '{site.Name}' created", site.Id);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Subdomains are unique across the platform, so the taken one may belong to another workspace.
            return StoreResults.Conflict($"The subdomain '{subdomain}' is taken.");
        }

        return TypedResults.Created($"{MerchantApi.BasePath}/sites/{site.Id}", ToView(site));
    }

    public static async Task<Results<Ok<SiteView>, ProblemHttpResult>> UpdateSettings(
        Guid id, UpdateSiteSettingsRequest request, StoreDbContext db, ActivityFeed activity, TimeProvider time, CancellationToken ct)
    {
        var site = await db.Sites.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (site is null)
        {
            return StoreResults.NotFound("The site was not found.");
        }

        if (request.Theme is { } theme && !Themes.Contains(theme))
        {
            return StoreResults.Invalid("theme", $"theme must be one of: {string.Join(", ", Themes)}.");
        }

        if (request.Currency is { } currency && !StoreResults.IsCurrencyCode(currency))
        {
            return StoreResults.Invalid("currency", "currency must be an ISO 4217 code such as EUR.");
        }

        if (request.Name is { } name && (string.IsNullOrWhiteSpace(name) || name.Length > 120))
        {
            return StoreResults.Invalid("name", "name cannot be empty or longer than 120 characters.");
        }

        if (request.Locale?.Length > 16 || request.SeoTitle?.Length > 120 || request.SeoDescription?.Length > 320)
        {
            return StoreResults.Invalid("seoDescription", "locale is at most 16, seoTitle 120 and seoDescription 320 characters.");
        }

        site.Name = request.Name?.Trim() ?? site.Name;
        site.Theme = request.Theme ?? site.Theme;
        site.Currency = request.Currency ?? site.Currency;
        site.Locale = request.Locale ?? site.Locale;
        site.SeoTitle = request.SeoTitle ?? site.SeoTitle;
        site.SeoDescription = request.SeoDescription ?? site.SeoDescription;
        site.UpdatedAt = time.GetUtcNow();
        activity.Record("site.updated", $"Site '{site.Name}' settings changed", site.Id);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToView(site));
    }

    public static Task<Results<Ok<SiteView>, ProblemHttpResult>> Publish(Guid id, StoreDbContext db, ActivityFeed activity, TimeProvider time, CancellationToken ct) =>
        SetPublishedAsync(id, true, db, activity, time, ct);

    public static Task<Results<Ok<SiteView>, ProblemHttpResult>> Unpublish(Guid id, StoreDbContext db, ActivityFeed activity, TimeProvider time, CancellationToken ct) =>
        SetPublishedAsync(id, false, db, activity, time, ct);

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteSite(Guid id, StoreDbContext db, ActivityFeed activity, CancellationToken ct)
    {
        var site = await db.Sites.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (site is null)
        {
            return StoreResults.NotFound("The site was not found.");
        }

        db.Sites.Remove(site);
        activity.Record("site.deleted", $"Site '{site.Name}' deleted", site.Id);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<SiteView>, ProblemHttpResult>> SetPublishedAsync(
        Guid id, bool published, StoreDbContext db, ActivityFeed activity, TimeProvider time, CancellationToken ct)
    {
        var site = await db.Sites.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (site is null)
        {
            return StoreResults.NotFound("The site was not found.");
        }

        if (site.IsPublished != published)
        {
            site.IsPublished = published;
            site.PublishedAt = published ? time.GetUtcNow() : site.PublishedAt;
            site.UpdatedAt = time.GetUtcNow();
            activity.Record(published ? "site.published" : "site.unpublished", $"Site '{site.Name}' {(published ? "published" : "taken offline")}", site.Id);
            await db.SaveChangesAsync(ct);
        }

        return TypedResults.Ok(ToView(site));
    }

    private static SiteView ToView(Site s) =>
        new(s.Id, s.Name, s.Subdomain, s.Theme, s.Currency, s.Locale, s.SeoTitle, s.SeoDescription, s.IsPublished, s.PublishedAt, s.CreatedAt, s.UpdatedAt);
}
