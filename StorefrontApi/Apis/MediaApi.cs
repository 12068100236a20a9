using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.StorefrontApi.Authentication;
using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Apis;

public sealed record MediaView(Guid Id, string FileName, string ContentType, long SizeBytes, string Url, string? AltText, DateTimeOffset UploadedAt);

/// <summary>Registers an upload: the bytes go to object storage; the store keeps the metadata.</summary>
public sealed record RegisterMediaRequest(string? FileName, string? ContentType, long SizeBytes, string? AltText);

public static class MediaApi
{
    private const long MaxAssetBytes = 50L * 1024 * 1024;
    private static readonly string[] ContentTypes = ["image/jpeg", "image/png", "image/webp", "image/gif", "image/svg+xml", "video/mp4", "application/pdf"];

    public static RouteGroupBuilder MapMediaApi(this RouteGroupBuilder merchant)
    {
        var media = merchant.MapGroup("/media").WithTags("Media");
        media.MapGet("/", ListMedia).RequireScope(ScopeCatalogue.ReadMedia).WithSummary("List media assets, newest first");
        media.MapGet("/{id:guid}", GetMedia).RequireScope(ScopeCatalogue.ReadMedia).WithSummary("Get a media asset's metadata");
        media.MapPost("/", RegisterMedia).RequireScope(ScopeCatalogue.WriteMedia).WithSummary("Register an uploaded media asset");
        media.MapDelete("/{id:guid}", DeleteMedia).RequireScope(ScopeCatalogue.WriteMedia).WithSummary("Delete a media asset");
        return merchant;
    }

    public static async Task<Ok<List<MediaView>>> ListMedia(StoreDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await db.MediaAssets.AsNoTracking().OrderByDescending(m => m.UploadedAt)
            .Select(m => new MediaView(m.Id, m.FileName, m.ContentType, m.SizeBytes, m.Url, m.AltText, m.UploadedAt)).ToListAsync(ct));

    public static async Task<Results<Ok<MediaView>, ProblemHttpResult>> GetMedia(Guid id, StoreDbContext db, CancellationToken ct) =>
        await db.MediaAssets.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct) is { } m
            ? TypedResults.Ok(new MediaView(m.Id, m.FileName, m.ContentType, m.SizeBytes, m.Url, m.AltText, m.UploadedAt))
            : StoreResults.NotFound("The media asset was not found.");

    public static async Task<Results<Created<MediaView>, ProblemHttpResult>> RegisterMedia(
        RegisterMediaRequest request, StoreDbContext db, ICurrentWorkspace workspace, ActivityFeed activity, TimeProvider time, CancellationToken ct)
    {
        var fileName = request.FileName?.Trim();
        if (string.IsNullOrEmpty(fileName) || fileName.Length > 255 || fileName.IndexOfAny(['/', '\\']) >= 0 || fileName.Any(char.IsControl))
        {
            return StoreResults.Invalid("fileName", "fileName is required: a plain file name of at most 255 characters.");
        }

        if (request.ContentType is not { } contentType || !ContentTypes.Contains(contentType))
        {
            return StoreResults.Invalid("contentType", $"contentType must be one of: {string.Join(", ", ContentTypes)}.");
        }

        if (request.SizeBytes is <= 0 or > MaxAssetBytes)
        {
            return StoreResults.Invalid("sizeBytes", $"sizeBytes must be between 1 and {MaxAssetBytes}.");
        }

        if (request.AltText?.Length > 500)
        {
            return StoreResults.Invalid("altText", "altText is at most 500 characters.");
        }

        var id = Guid.CreateVersion7(time.GetUtcNow());
        var asset = new MediaAsset
        {
            Id = id, FileName = fileName, ContentType = contentType, SizeBytes = request.SizeBytes, AltText = request.AltText, UploadedAt = time.GetUtcNow(),
            Url = $"https://media.aly.store/{workspace.WorkspaceId:N}/{id:N}/{Uri.EscapeDataString(fileName)}",
        };
        db.MediaAssets.Add(asset);
        activity.Record("media.uploaded", $"Media {fileName} uploaded", id);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"{MerchantApi.BasePath}/media/{id}",
            new MediaView(asset.Id, asset.FileName, asset.ContentType, asset.SizeBytes, asset.Url, asset.AltText, asset.UploadedAt));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteMedia(Guid id, StoreDbContext db, ActivityFeed activity, CancellationToken ct)
    {
        var asset = await db.MediaAssets.FirstOrDefaultAsync(m => m.Id == id, ct);
        if (asset is null)
        {
            return StoreResults.NotFound("The media asset was not found.");
        }

        db.MediaAssets.Remove(asset);
        activity.Record("media.deleted", $"Media {asset.FileName} deleted", id);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
