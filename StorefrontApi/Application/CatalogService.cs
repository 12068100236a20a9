using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Application;

public sealed record ProductView(
    Guid Id, string Title, string Handle, string? Description, decimal Price, string Currency, int Inventory, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record CreateProductRequest(string? Title, string? Handle, string? Description, decimal? Price, int? Inventory, string? Status);

/// <summary>A partial update: only the fields present change.</summary>
public sealed record UpdateProductRequest(string? Title, string? Description, decimal? Price, int? Inventory, string? Status);

public sealed record CollectionView(Guid Id, string Title, string Handle, IReadOnlyList<Guid> ProductIds, DateTimeOffset UpdatedAt);

public sealed record CreateCollectionRequest(string? Title, IReadOnlyList<Guid>? ProductIds);

public sealed record PageView(Guid Id, string Title, string Slug, IReadOnlyList<BlockView> Blocks, DateTimeOffset UpdatedAt);

public sealed record BlockView(string Kind, string Body);

/// <summary>Products, collections and CMS pages. Used by REST and MCP.</summary>
public sealed class CatalogService(StoreDbContext db, ActivityFeed activity, TimeProvider time)
{
    public async Task<StoreResult<PagedList<ProductView>>> ListProductsAsync(string? status, string? search, int page, int pageSize, CancellationToken ct)
    {
        if (Paging.Validate(page, pageSize) is { } invalid)
        {
            return invalid;
        }

        if (status is not null && !ProductStatus.All.Contains(status))
        {
            return StoreError.Invalid("status", $"status must be one of: {string.Join(", ", ProductStatus.All)}.");
        }

        var query = db.Products.AsNoTracking();
        if (status is not null)
        {
            query = query.Where(p => p.Status == status);
        }

        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = $"%{EscapeLike(search.Trim())}%";
            query = query.Where(p => EF.Functions.ILike(p.Title, pattern, "\\"));
        }

        var total = await query.CountAsync(ct);
        var items = await query.OrderBy(p => p.Title).ThenBy(p => p.Id).Skip((page - 1) * pageSize).Take(pageSize).Select(p => ToView(p)).ToListAsync(ct);
        return new PagedList<ProductView>(items, page, pageSize, total);
    }

    public async Task<StoreResult<ProductView>> GetProductAsync(Guid id, CancellationToken ct) =>
        await db.Products.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct) is { } product ? ToView(product) : StoreError.NotFound("The product");

    public async Task<StoreResult<ProductView>> CreateProductAsync(CreateProductRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > 200)
        {
            return StoreError.Invalid("title", "title is required (at most 200 characters).");
        }

        if (ValidateFields(request.Description, request.Price ?? 0, request.Inventory ?? 0, request.Status ?? ProductStatus.Draft) is { } invalid)
        {
            return invalid;
        }

        var handle = string.IsNullOrWhiteSpace(request.Handle) ? StoreSeed.Handle(request.Title) : request.Handle.Trim().ToLowerInvariant();
        if (handle.Length is 0 or > 200 || handle.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-')))
        {
            return StoreError.Invalid("handle", "handle may contain lower-case letters, digits and dashes only.");
        }

        if (await db.Products.AnyAsync(p => p.Handle == handle, ct))
        {
            return StoreError.Conflict($"A product with handle '{handle}' already exists.");
        }

        var currency = await db.WorkspaceSettings.Select(s => s.DefaultCurrency).FirstOrDefaultAsync(ct) ?? "EUR";
        var now = time.GetUtcNow();
        var product = new Product
        {
            Id = Guid.CreateVersion7(now), Title = request.Title.Trim(), Handle = handle, Description = request.Description, Price = request.Price ?? 0,
            Currency = currency, Inventory = request.Inventory ?? 0, Status = request.Status ?? ProductStatus.Draft, CreatedAt = now, UpdatedAt = now,
        };
        db.Products.Add(product);
        activity.Record("product.created", $"Product '{product.Title}' created", product.Id);
        if (!await TrySaveAsync(ct))
        {
            return StoreError.Conflict($"A product with handle '{handle}' already exists.");
        }

        return ToView(product);
    }

    public async Task<StoreResult<ProductView>> UpdateProductAsync(Guid id, UpdateProductRequest request, CancellationToken ct)
    {
        var product = await db.Products.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (product is null)
        {
            return StoreError.NotFound("The product");
        }

        if (request.Title is { } title && (string.IsNullOrWhiteSpace(title) || title.Length > 200))
        {
            return StoreError.Invalid("title", "title cannot be empty or longer than 200 characters.");
        }

        if (ValidateFields(request.Description, request.Price ?? product.Price, request.Inventory ?? product.Inventory, request.Status ?? product.Status) is { } invalid)
        {
            return invalid;
        }

        product.Title = request.Title?.Trim() ?? product.Title;
        product.Description = request.Description ?? product.Description;
        product.Price = request.Price ?? product.Price;
        product.Inventory = request.Inventory ?? product.Inventory;
        product.Status = request.Status ?? product.Status;
        product.UpdatedAt = time.GetUtcNow();
        activity.Record("product.updated", $"Product '{product.Title}' updated", product.Id);
        await db.SaveChangesAsync(ct);
        return ToView(product);
    }

    public async Task<IReadOnlyList<CollectionView>> ListCollectionsAsync(CancellationToken ct) =>
        await db.Collections.AsNoTracking().OrderBy(c => c.Title)
            .Select(c => new CollectionView(c.Id, c.Title, c.Handle, c.ProductIds, c.UpdatedAt)).ToListAsync(ct);

    public async Task<StoreResult<CollectionView>> CreateCollectionAsync(CreateCollectionRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > 200)
        {
            return StoreError.Invalid("title", "title is required (at most 200 characters).");
        }

        var productIds = (request.ProductIds ?? []).Distinct().ToList();
        if (productIds.Count > 500)
        {
            return StoreError.Invalid("productIds", "A collection holds at most 500 products.");
        }

        // Ids of another workspace's products are as unknown here as ids that never existed.
        var known = await db.Products.Where(p => productIds.Contains(p.Id)).CountAsync(ct);
        if (known != productIds.Count)
        {
            return StoreError.Invalid("productIds", "Some products were not found.");
        }

        var handle = StoreSeed.Handle(request.Title);
        if (await db.Collections.AnyAsync(c => c.Handle == handle, ct))
        {
            return StoreError.Conflict($"A collection with handle '{handle}' already exists.");
        }

        var collection = new ProductCollection { Id = Guid.CreateVersion7(time.GetUtcNow()), Title = request.Title.Trim(), Handle = handle, ProductIds = productIds, UpdatedAt = time.GetUtcNow() };
        db.Collections.Add(collection);
        activity.Record("collection.created", $"Collection '{collection.Title}' created", collection.Id);
        if (!await TrySaveAsync(ct))
        {
            return StoreError.Conflict($"A collection with handle '{handle}' already exists.");
        }

        return new CollectionView(collection.Id, collection.Title, collection.Handle, collection.ProductIds, collection.UpdatedAt);
    }

    public async Task<IReadOnlyList<PageView>> ListPagesAsync(CancellationToken ct) =>
        (await db.Pages.AsNoTracking().OrderBy(p => p.Slug).ToListAsync(ct))
            .Select(p => new PageView(p.Id, p.Title, p.Slug, p.Blocks.Select(b => new BlockView(b.Kind, b.Body)).ToList(), p.UpdatedAt)).ToList();

    private static StoreError? ValidateFields(string? description, decimal price, int inventory, string status) =>
        description?.Length > 5000 ? StoreError.Invalid("description", "description is at most 5000 characters.")
        : price is < 0 or > 1_000_000 || decimal.Round(price, 2) != price ? StoreError.Invalid("price", "price must be between 0 and 1,000,000 with at most two decimals.")
        : inventory is < 0 or > 1_000_000 ? StoreError.Invalid("inventory", "inventory must be between 0 and 1,000,000.")
        : !ProductStatus.All.Contains(status) ? StoreError.Invalid("status", $"status must be one of: {string.Join(", ", ProductStatus.All)}.")
        : null;

    private async Task<bool> TrySaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>The products of <paramref name="ids"/> that are for sale (active); unknown ids are simply absent.</summary>
    public async Task<StoreResult<IReadOnlyList<ProductView>>> FindForSaleAsync(IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        if (ids.Count is 0 or > Paging.MaxPageSize)
        {
            return StoreError.Invalid("ids", $"Between 1 and {Paging.MaxPageSize} ids.");
        }

        var distinct = ids.Distinct().ToList();
        return await db.Products.AsNoTracking().Where(p => distinct.Contains(p.Id) && p.Status == ProductStatus.Active)
            .OrderBy(p => p.Title).Select(p => ToView(p)).ToListAsync(ct);
    }

    internal static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static ProductView ToView(Product p) =>
        new(p.Id, p.Title, p.Handle, p.Description, p.Price, p.Currency, p.Inventory, p.Status, p.CreatedAt, p.UpdatedAt);
}
