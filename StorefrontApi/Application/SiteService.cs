using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Application;

public sealed record SiteView(
    Guid Id, string Name, string Subdomain, string Theme, string Currency, string Locale, string? SeoTitle, string? SeoDescription,
    bool IsPublished, DateTimeOffset? PublishedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record CreateSiteRequest(string? Name, string? Subdomain, string? Theme);

public sealed record UpdateSiteSettingsRequest(string? Name, string? Theme, string? Currency, string? Locale, string? SeoTitle, string? SeoDescription);

/// <summary>Sites: settings and theme, publishing, deletion. Used by REST and MCP.</summary>
public sealed class SiteService(StoreDbContext db, ActivityFeed activity, TimeProvider time)
{
    public static readonly IReadOnlyList<string> Themes = ["aurora", "harbor", "minimal", "bold", "classic"];

    public async Task<IReadOnlyList<SiteView>> ListAsync(CancellationToken ct) =>
        (await db.Sites.AsNoTracking().OrderBy(s => s.CreatedAt).ToListAsync(ct)).Select(ToView).ToList();

    public async Task<StoreResult<SiteView>> GetAsync(Guid id, CancellationToken ct) =>
        await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) is { } site ? ToView(site) : StoreError.NotFound("The site");

    public async Task<StoreResult<SiteView>> CreateAsync(CreateSiteRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 120)
        {
            return StoreError.Invalid("name", "name is required (at most 120 characters).");
        }

        var subdomain = (request.Subdomain ?? StoreSeed.Handle(request.Name)).ToLowerInvariant();
        if (subdomain.Length is < 3 or > 63 || subdomain.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-')) || subdomain.StartsWith('-'))
        {
            return StoreError.Invalid("subdomain", "subdomain must be 3-63 lower-case letters, digits or dashes.");
        }

        var theme = request.Theme ?? "minimal";
        if (!Themes.Contains(theme))
        {
            return StoreError.Invalid("theme", $"theme must be one of: {string.Join(", ", Themes)}.");
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
            db.ChangeTracker.Clear();
            return StoreError.Conflict($"The subdomain '{subdomain}' is taken.");
        }

        return ToView(site);
    }

    public async Task<StoreResult<SiteView>> UpdateSettingsAsync(Guid id, UpdateSiteSettingsRequest request, CancellationToken ct)
    {
        var site = await db.Sites.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (site is null)
        {
            return StoreError.NotFound("The site");
        }

        if (request.Theme is { } theme && !Themes.Contains(theme))
        {
            return StoreError.Invalid("theme", $"theme must be one of: {string.Join(", ", Themes)}.");
        }

        if (request.Currency is { } currency && !Currency.IsCode(currency))
        {
            return StoreError.Invalid("currency", "currency must be an ISO 4217 code such as EUR.");
        }

        if (request.Name is { } name && (string.IsNullOrWhiteSpace(name) || name.Length > 120))
        {
            return StoreError.Invalid("name", "name cannot be empty or longer than 120 characters.");
        }

        if (request.Locale?.Length > 16 || request.SeoTitle?.Length > 120 || request.SeoDescription?.Length > 320)
        {
            return StoreError.Invalid("seoDescription", "locale is at most 16, seoTitle 120 and seoDescription 320 characters.");
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
        return ToView(site);
    }

    public async Task<StoreResult<SiteView>> SetPublishedAsync(Guid id, bool published, CancellationToken ct)
    {
        var site = await db.Sites.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (site is null)
        {
            return StoreError.NotFound("The site");
        }

        if (site.IsPublished != published)
        {
            site.IsPublished = published;
            site.PublishedAt = published ? time.GetUtcNow() : site.PublishedAt;
            site.UpdatedAt = time.GetUtcNow();
            activity.Record(published ? "site.published" : "site.unpublished", $"Site '{site.Name}' {(published ? "published" : "taken offline")}", site.Id);
            await db.SaveChangesAsync(ct);
        }

        return ToView(site);
    }

    public async Task<StoreResult<Done>> DeleteAsync(Guid id, CancellationToken ct)
    {
        var site = await db.Sites.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (site is null)
        {
            return StoreError.NotFound("The site");
        }

        db.Sites.Remove(site);
        activity.Record("site.deleted", $"Site '{site.Name}' deleted", site.Id);
        await db.SaveChangesAsync(ct);
        return Done.Value;
    }

    private static SiteView ToView(Site s) =>
        new(s.Id, s.Name, s.Subdomain, s.Theme, s.Currency, s.Locale, s.SeoTitle, s.SeoDescription, s.IsPublished, s.PublishedAt, s.CreatedAt, s.UpdatedAt);
}

public static class Currency
{
    /// <summary>An ISO 4217 currency code: three upper-case ASCII letters.</summary>
    public static bool IsCode(string value) => value.Length == 3 && value.All(char.IsAsciiLetterUpper);
}
