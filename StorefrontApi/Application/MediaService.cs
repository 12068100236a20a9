using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Application;

public sealed record MediaView(Guid Id, string FileName, string ContentType, long SizeBytes, string Url, string? AltText, DateTimeOffset UploadedAt);

/// <summary>Registers an upload: the bytes go to object storage; the store keeps the metadata.</summary>
public sealed record RegisterMediaRequest(string? FileName, string? ContentType, long SizeBytes, string? AltText);

/// <summary>Media assets' metadata. Used by REST and MCP.</summary>
public sealed class MediaService(StoreDbContext db, ICurrentWorkspace workspace, ActivityFeed activity, TimeProvider time)
{
    public const long MaxAssetBytes = 50L * 1024 * 1024;
    public static readonly IReadOnlyList<string> ContentTypes = ["image/jpeg", "image/png", "image/webp", "image/gif", "image/svg+xml", "video/mp4", "application/pdf"];

    public async Task<IReadOnlyList<MediaView>> ListAsync(CancellationToken ct) =>
        await db.MediaAssets.AsNoTracking().OrderByDescending(m => m.UploadedAt)
            .Select(m => new MediaView(m.Id, m.FileName, m.ContentType, m.SizeBytes, m.Url, m.AltText, m.UploadedAt)).ToListAsync(ct);

    public async Task<StoreResult<MediaView>> GetAsync(Guid id, CancellationToken ct) =>
        await db.MediaAssets.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct) is { } m ? ToView(m) : StoreError.NotFound("The media asset");

    public async Task<StoreResult<MediaView>> RegisterAsync(RegisterMediaRequest request, CancellationToken ct)
    {
        var fileName = request.FileName?.Trim();
        if (string.IsNullOrEmpty(fileName) || fileName.Length > 255 || fileName.IndexOfAny(['/', '\\']) >= 0 || fileName.Any(char.IsControl))
        {
            return StoreError.Invalid("fileName", "fileName is required: a plain file name of at most 255 characters.");
        }

        if (request.ContentType is not { } contentType || !ContentTypes.Contains(contentType))
        {
            return StoreError.Invalid("contentType", $"contentType must be one of: {string.Join(", ", ContentTypes)}.");
        }

        if (request.SizeBytes is <= 0 or > MaxAssetBytes)
        {
            return StoreError.Invalid("sizeBytes", $"sizeBytes must be between 1 and {MaxAssetBytes}.");
        }

        if (request.AltText?.Length > 500)
        {
            return StoreError.Invalid("altText", "altText is at most 500 characters.");
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
        return ToView(asset);
    }

    public async Task<StoreResult<Done>> DeleteAsync(Guid id, CancellationToken ct)
    {
        var asset = await db.MediaAssets.FirstOrDefaultAsync(m => m.Id == id, ct);
        if (asset is null)
        {
            return StoreError.NotFound("The media asset");
        }

        db.MediaAssets.Remove(asset);
        activity.Record("media.deleted", $"Media {asset.FileName} deleted", id);
        await db.SaveChangesAsync(ct);
        return Done.Value;
    }

    private static MediaView ToView(MediaAsset m) => new(m.Id, m.FileName, m.ContentType, m.SizeBytes, m.Url, m.AltText, m.UploadedAt);
}
