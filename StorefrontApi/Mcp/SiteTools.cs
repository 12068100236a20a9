using System.ComponentModel;
using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Apis;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol.Server;

namespace AlyAspire.StorefrontApi.Mcp;

/// <summary>The MCP tools of sites, domains, media and the voice agent (scopes as in <see cref="StoreTools"/>).</summary>
[McpServerToolType]
public sealed class SiteTools
{
    [McpServerTool(Name = "list_sites", ReadOnly = true), Authorize(Policy = ScopeCatalogue.ReadSites)]
    [Description("Lists the workspace's sites with their settings and whether they are published.")]
    public static Task<IReadOnlyList<SiteView>> ListSites(SiteService sites, CancellationToken cancellationToken = default) =>
        sites.ListAsync(cancellationToken);

    [McpServerTool(Name = "get_site", ReadOnly = true), Authorize(Policy = ScopeCatalogue.ReadSites)]
    [Description("Gets one site's settings and theme.")]
    public static async Task<SiteView> GetSite(SiteService sites, [Description("The site's id")] Guid siteId, CancellationToken cancellationToken = default) =>
        (await sites.GetAsync(siteId, cancellationToken)).ToToolResult();

    [McpServerTool(Name = "create_site", Idempotent = false), Authorize(Policy = ScopeCatalogue.WriteSites)]
    [Description("Creates an unpublished site.")]
    public static async Task<SiteView> CreateSite(
        SiteService sites,
        [Description("The site's name")] string name,
        [Description("Subdomain (3-63 lower-case letters, digits, dashes); derived from the name when omitted")] string? subdomain = null,
        [Description("Theme: aurora, harbor, minimal, bold or classic")] string? theme = null,
        CancellationToken cancellationToken = default) =>
        (await sites.CreateAsync(new CreateSiteRequest(name, subdomain, theme), cancellationToken)).ToToolResult();

    [McpServerTool(Name = "update_site_settings", Idempotent = true), Authorize(Policy = ScopeCatalogue.WriteSites)]
    [Description("Changes a site's settings and theme: only the fields given change.")]
    public static async Task<SiteView> UpdateSiteSettings(
        SiteService sites,
        [Description("The site's id")] Guid siteId,
        [Description("New name")] string? name = null,
        [Description("Theme: aurora, harbor, minimal, bold or classic")] string? theme = null,
        [Description("ISO 4217 currency, e.g. EUR")] string? currency = null,
        [Description("Locale, e.g. en-GB")] string? locale = null,
        [Description("SEO title")] string? seoTitle = null,
        [Description("SEO description")] string? seoDescription = null,
        CancellationToken cancellationToken = default) =>
        (await sites.UpdateSettingsAsync(siteId, new UpdateSiteSettingsRequest(name, theme, currency, locale, seoTitle, seoDescription), cancellationToken)).ToToolResult();

    [McpServerTool(Name = "publish_site", Idempotent = true), Authorize(Policy = ScopeCatalogue.WriteSites)]
    [Description("Publishes a site, or takes it offline with published=false.")]
    public static async Task<SiteView> PublishSite(
        SiteService sites, [Description("The site's id")] Guid siteId, [Description("true to publish, false to take offline")] bool published = true,
        CancellationToken cancellationToken = default) =>
        (await sites.SetPublishedAsync(siteId, published, cancellationToken)).ToToolResult();

    [McpServerTool(Name = "delete_site", Destructive = true, Idempotent = false), Authorize(Policy = ScopeCatalogue.DeleteSites)]
    [Description("Deletes a site and detaches its domains.")]
    public static async Task<string> DeleteSite(SiteService sites, [Description("The site's id")] Guid siteId, CancellationToken cancellationToken = default)
    {
        (await sites.DeleteAsync(siteId, cancellationToken)).ToToolResult();
        return $"Site {siteId} deleted.";
    }

    [McpServerTool(Name = "list_domains", ReadOnly = true), Authorize(Policy = ScopeCatalogue.ManageDomains)]
    [Description("Lists the custom domains attached to the workspace's sites, with their verification state.")]
    public static Task<IReadOnlyList<DomainView>> ListDomains(DomainService domains, CancellationToken cancellationToken = default) =>
        domains.ListAsync(cancellationToken);

    [McpServerTool(Name = "list_media", ReadOnly = true), Authorize(Policy = ScopeCatalogue.ReadMedia)]
    [Description("Lists media assets, newest first.")]
    public static Task<IReadOnlyList<MediaView>> ListMedia(MediaService media, CancellationToken cancellationToken = default) =>
        media.ListAsync(cancellationToken);

    [McpServerTool(Name = "register_media", Idempotent = false), Authorize(Policy = ScopeCatalogue.WriteMedia)]
    [Description("Registers an uploaded media asset (image, video or PDF) by its metadata.")]
    public static async Task<MediaView> RegisterMedia(
        MediaService media,
        [Description("Plain file name, e.g. hero.jpg")] string fileName,
        [Description("MIME type, e.g. image/jpeg")] string contentType,
        [Description("Size in bytes")] long sizeBytes,
        [Description("Alternative text")] string? altText = null,
        CancellationToken cancellationToken = default) =>
        (await media.RegisterAsync(new RegisterMediaRequest(fileName, contentType, sizeBytes, altText), cancellationToken)).ToToolResult();

    [McpServerTool(Name = "delete_media", Destructive = true, Idempotent = false), Authorize(Policy = ScopeCatalogue.WriteMedia)]
    [Description("Deletes a media asset.")]
    public static async Task<string> DeleteMedia(MediaService media, [Description("The asset's id")] Guid mediaId, CancellationToken cancellationToken = default)
    {
        (await media.DeleteAsync(mediaId, cancellationToken)).ToToolResult();
        return $"Media asset {mediaId} deleted.";
    }

    [McpServerTool(Name = "get_voice_agent", ReadOnly = true), Authorize(Policy = ScopeCatalogue.ManageVoice)]
    [Description("Gets the voice agent's configuration.")]
    public static async Task<VoiceAgentView> GetVoiceAgent(VoiceAgentService voice, CancellationToken cancellationToken = default) =>
        (await voice.GetAsync(cancellationToken)).ToToolResult();

    [McpServerTool(Name = "configure_voice_agent", Idempotent = true), Authorize(Policy = ScopeCatalogue.ManageVoice)]
    [Description("Configures the voice agent: only the fields given change.")]
    public static async Task<VoiceAgentView> ConfigureVoiceAgent(
        VoiceAgentService voice,
        [Description("Whether the agent answers the phone")] bool? enabled = null,
        [Description("Voice: alloy, aria, verse, sage or coral")] string? voiceName = null,
        [Description("Language, e.g. en-GB")] string? language = null,
        [Description("What the agent says first")] string? greeting = null,
        [Description("Where calls are handed to a person")] string? handoffPhoneNumber = null,
        CancellationToken cancellationToken = default) =>
        (await voice.ConfigureAsync(new UpdateVoiceAgentRequest(enabled, voiceName, language, greeting, handoffPhoneNumber), cancellationToken)).ToToolResult();
}
