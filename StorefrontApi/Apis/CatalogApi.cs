using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.StorefrontApi.Apis;

/// <summary>Content: products, collections and CMS pages.</summary>
public static class CatalogApi
{
    public static RouteGroupBuilder MapCatalogApi(this RouteGroupBuilder merchant)
    {
        var products = merchant.MapGroup("/products").WithTags("Products");
        products.MapGet("/", ListProducts).RequireScope(ScopeCatalogue.ReadContent).WithSummary("List products, optionally by status or a title search");
        products.MapGet("/{id:guid}", GetProduct).RequireScope(ScopeCatalogue.ReadContent).WithSummary("Get a product");
        products.MapPost("/", CreateProduct).RequireScope(ScopeCatalogue.WriteContent).WithSummary("Create a product");
        products.MapPatch("/{id:guid}", UpdateProduct).RequireScope(ScopeCatalogue.WriteContent).WithSummary("Change a product's fields");

        var collections = merchant.MapGroup("/collections").WithTags("Collections");
        collections.MapGet("/", ListCollections).RequireScope(ScopeCatalogue.ReadContent).WithSummary("List collections");
        collections.MapPost("/", CreateCollection).RequireScope(ScopeCatalogue.WriteContent).WithSummary("Create a collection of products");

        merchant.MapGet("/pages", ListPages).WithTags("Pages").RequireScope(ScopeCatalogue.ReadContent).WithSummary("List CMS pages with their blocks");
        return merchant;
    }

    public static async Task<Results<Ok<PagedList<ProductView>>, ProblemHttpResult>> ListProducts(
        CatalogService catalog, CancellationToken ct, string? status = null, string? search = null, int page = 1, int pageSize = Paging.DefaultPageSize) =>
        (await catalog.ListProductsAsync(status, search, page, pageSize, ct)).ToOk();

    public static async Task<Results<Ok<ProductView>, ProblemHttpResult>> GetProduct(Guid id, CatalogService catalog, CancellationToken ct) =>
        (await catalog.GetProductAsync(id, ct)).ToOk();

    public static async Task<Results<Created<ProductView>, ProblemHttpResult>> CreateProduct(CreateProductRequest request, CatalogService catalog, CancellationToken ct) =>
        (await catalog.CreateProductAsync(request, ct)).ToCreated(p => $"{MerchantApi.BasePath}/products/{p.Id}");

    public static async Task<Results<Ok<ProductView>, ProblemHttpResult>> UpdateProduct(Guid id, UpdateProductRequest request, CatalogService catalog, CancellationToken ct) =>
        (await catalog.UpdateProductAsync(id, request, ct)).ToOk();

    public static async Task<Ok<IReadOnlyList<CollectionView>>> ListCollections(CatalogService catalog, CancellationToken ct) =>
        TypedResults.Ok(await catalog.ListCollectionsAsync(ct));

    public static async Task<Results<Created<CollectionView>, ProblemHttpResult>> CreateCollection(CreateCollectionRequest request, CatalogService catalog, CancellationToken ct) =>
        (await catalog.CreateCollectionAsync(request, ct)).ToCreated(c => $"{MerchantApi.BasePath}/collections/{c.Id}");

    public static async Task<Ok<IReadOnlyList<PageView>>> ListPages(CatalogService catalog, CancellationToken ct) =>
        TypedResults.Ok(await catalog.ListPagesAsync(ct));
}
