using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.StorefrontApi.Apis;

/// <summary>Sites: settings and theme (read/write:sites), publishing (write:sites), deletion (delete:sites).</summary>
public static class SitesApi
{
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

    public static async Task<Ok<IReadOnlyList<SiteView>>> ListSites(SiteService sites, CancellationToken ct) =>
        TypedResults.Ok(await sites.ListAsync(ct));

    public static async Task<Results<Ok<SiteView>, ProblemHttpResult>> GetSite(Guid id, SiteService sites, CancellationToken ct) =>
        (await sites.GetAsync(id, ct)).ToOk();

    public static async Task<Results<Created<SiteView>, ProblemHttpResult>> CreateSite(CreateSiteRequest request, SiteService sites, CancellationToken ct) =>
        (await sites.CreateAsync(request, ct)).ToCreated(s => $"{MerchantApi.BasePath}/sites/{s.Id}");

    public static async Task<Results<Ok<SiteView>, ProblemHttpResult>> UpdateSettings(
        Guid id, UpdateSiteSettingsRequest request, SiteService sites, CancellationToken ct) =>
        (await sites.UpdateSettingsAsync(id, request, ct)).ToOk();

    public static async Task<Results<Ok<SiteView>, ProblemHttpResult>> Publish(Guid id, SiteService sites, CancellationToken ct) =>
        (await sites.SetPublishedAsync(id, published: true, ct)).ToOk();

    public static async Task<Results<Ok<SiteView>, ProblemHttpResult>> Unpublish(Guid id, SiteService sites, CancellationToken ct) =>
        (await sites.SetPublishedAsync(id, published: false, ct)).ToOk();

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteSite(Guid id, SiteService sites, CancellationToken ct) =>
        (await sites.DeleteAsync(id, ct)).ToNoContent();
}
