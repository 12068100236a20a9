using System.ComponentModel;
using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace AlyAspire.StorefrontApi.Mcp;

/// <summary>
/// The MCP tools of orders, catalog, customers and analytics, on the same application services as the REST API. Each
/// tool requires its scope twice over: at the HTTP level (<see cref="McpToolScopeMiddleware"/> answers 403
/// insufficient_scope) and through the SDK's authorization filter (which also hides tools the caller cannot use from
/// tools/list). The other scopes' tools are in <see cref="SiteTools"/> and <see cref="WorkspaceTools"/>.
/// </summary>
[McpServerToolType]
public sealed class StoreTools
{
    public const string ListOrdersTool = "list_orders";
    public const string GetOrderTool = "get_order";
    public const string FulfillOrderTool = "fulfill_order";
    public const string ListProductsTool = "list_products";
    public const string UpdateProductTool = "update_product";
    public const string FindCustomersTool = "find_customers";
    public const string GetAnalyticsTool = "get_analytics";
    public const string CancelOrderTool = "cancel_order";
    public const string GetProductTool = "get_product";
    public const string CreateProductTool = "create_product";
    public const string UpdateCustomerTool = "update_customer";
    public const string GetActivityTool = "get_activity";

    [McpServerTool(Name = ListOrdersTool, ReadOnly = true), Authorize(Policy = ScopeCatalogue.ReadOrders)]
    [Description("Lists the store's orders, newest first. Filter by state: pending, paid, fulfilled, refunded or cancelled.")]
    public static async Task<PagedList<OrderSummary>> ListOrders(
        OrderService orders,
        [Description("Only orders in this state")] string? state = null,
        [Description("Page number, from 1")] int page = 1,
        [Description("Orders per page, 1-100")] int pageSize = Paging.DefaultPageSize,
        CancellationToken cancellationToken = default) =>
        Unwrap(await orders.ListAsync(state, page, pageSize, cancellationToken));

    [McpServerTool(Name = GetOrderTool, ReadOnly = true), Authorize(Policy = ScopeCatalogue.ReadOrders)]
    [Description("Gets one order with its lines, fulfillments and refunds.")]
    public static async Task<OrderDetails> GetOrder(OrderService orders, [Description("The order's id")] Guid orderId, CancellationToken cancellationToken = default) =>
        Unwrap(await orders.GetAsync(orderId, cancellationToken));

    [McpServerTool(Name = FulfillOrderTool, Destructive = false, Idempotent = false), Authorize(Policy = ScopeCatalogue.WriteOrders)]
    [Description("Marks a paid order as fulfilled (shipped), optionally with the carrier and tracking number.")]
    public static async Task<OrderDetails> FulfillOrder(
        OrderService orders,
        [Description("The order's id")] Guid orderId,
        [Description("Shipping carrier, e.g. DHL")] string? carrier = null,
        [Description("The parcel's tracking number")] string? trackingNumber = null,
        CancellationToken cancellationToken = default) =>
        Unwrap(await orders.FulfillAsync(orderId, new FulfillOrderRequest(carrier, trackingNumber), cancellationToken));

    [McpServerTool(Name = CancelOrderTool, Destructive = true, Idempotent = true), Authorize(Policy = ScopeCatalogue.WriteOrders)]
    [Description("Cancels a pending or paid order.")]
    public static async Task<OrderDetails> CancelOrder(OrderService orders, [Description("The order's id")] Guid orderId, CancellationToken cancellationToken = default) =>
        Unwrap(await orders.CancelAsync(orderId, cancellationToken));

    [McpServerTool(Name = GetProductTool, ReadOnly = true), Authorize(Policy = ScopeCatalogue.ReadContent)]
    [Description("Gets one product.")]
    public static async Task<ProductView> GetProduct(CatalogService catalog, [Description("The product's id")] Guid productId, CancellationToken cancellationToken = default) =>
        Unwrap(await catalog.GetProductAsync(productId, cancellationToken));

    [McpServerTool(Name = CreateProductTool, Idempotent = false), Authorize(Policy = ScopeCatalogue.WriteContent)]
    [Description("Creates a product (a draft unless a status is given).")]
    public static async Task<ProductView> CreateProduct(
        CatalogService catalog,
        [Description("The product's title")] string title,
        [Description("Price, in the store currency")] decimal price,
        [Description("URL handle; derived from the title when omitted")] string? handle = null,
        [Description("Description")] string? description = null,
        [Description("Stock level")] int? inventory = null,
        [Description("Status: active, draft or archived")] string? status = null,
        CancellationToken cancellationToken = default) =>
        Unwrap(await catalog.CreateProductAsync(new CreateProductRequest(title, handle, description, price, inventory, status), cancellationToken));

    [McpServerTool(Name = ListProductsTool, ReadOnly = true), Authorize(Policy = ScopeCatalogue.ReadContent)]
    [Description("Lists products, optionally by status (active, draft, archived) or by a part of the title.")]
    public static async Task<PagedList<ProductView>> ListProducts(
        CatalogService catalog,
        [Description("Only products with this status")] string? status = null,
        [Description("Part of the product title")] string? search = null,
        [Description("Page number, from 1")] int page = 1,
        [Description("Products per page, 1-100")] int pageSize = Paging.DefaultPageSize,
        CancellationToken cancellationToken = default) =>
        Unwrap(await catalog.ListProductsAsync(status, search, page, pageSize, cancellationToken));

    [McpServerTool(Name = UpdateProductTool, Idempotent = true), Authorize(Policy = ScopeCatalogue.WriteContent)]
    [Description("Changes a product: only the fields given change.")]
    public static async Task<ProductView> UpdateProduct(
        CatalogService catalog,
        [Description("The product's id")] Guid productId,
        [Description("New title")] string? title = null,
        [Description("New description")] string? description = null,
        [Description("New price, in the store currency")] decimal? price = null,
        [Description("New stock level")] int? inventory = null,
        [Description("New status: active, draft or archived")] string? status = null,
        CancellationToken cancellationToken = default) =>
        Unwrap(await catalog.UpdateProductAsync(productId, new UpdateProductRequest(title, description, price, inventory, status), cancellationToken));

    [McpServerTool(Name = FindCustomersTool, ReadOnly = true), Authorize(Policy = ScopeCatalogue.ReadCustomers)]
    [Description("Looks up customers by a part of their name or email, with their order count and total spent.")]
    public static async Task<PagedList<CustomerView>> FindCustomers(
        CustomerService customers,
        [Description("Part of a name or an email address; empty lists everyone")] string? query = null,
        [Description("Page number, from 1")] int page = 1,
        [Description("Customers per page, 1-100")] int pageSize = Paging.DefaultPageSize,
        CancellationToken cancellationToken = default) =>
        Unwrap(await customers.SearchAsync(query, page, pageSize, cancellationToken));

    [McpServerTool(Name = UpdateCustomerTool, Idempotent = true), Authorize(Policy = ScopeCatalogue.WriteCustomers)]
    [Description("Changes a customer: only the fields given change.")]
    public static async Task<CustomerView> UpdateCustomer(
        CustomerService customers,
        [Description("The customer's id")] Guid customerId,
        [Description("New name")] string? name = null,
        [Description("New phone number")] string? phone = null,
        [Description("The customer group to move the customer to")] Guid? groupId = null,
        [Description("Whether the customer accepts marketing")] bool? acceptsMarketing = null,
        [Description("A note for the team")] string? note = null,
        CancellationToken cancellationToken = default) =>
        Unwrap(await customers.UpdateAsync(customerId, new UpdateCustomerRequest(name, phone, groupId, acceptsMarketing, note), cancellationToken));

    [McpServerTool(Name = GetActivityTool, ReadOnly = true), Authorize(Policy = ScopeCatalogue.ReadAnalytics)]
    [Description("Reads the workspace's activity feed, newest first.")]
    public static async Task<IReadOnlyList<ActivityView>> GetActivity(
        AnalyticsService analytics,
        [Description("How many entries, 1-200")] int limit = 20,
        [Description("Only entries before this instant (for paging)")] DateTimeOffset? before = null,
        CancellationToken cancellationToken = default) =>
        Unwrap(await analytics.ActivityAsync(limit, before, cancellationToken));

    [McpServerTool(Name = GetAnalyticsTool, ReadOnly = true), Authorize(Policy = ScopeCatalogue.ReadAnalytics)]
    [Description("Reads the store's traffic and sales over the last N days (visitors, orders, revenue, conversion).")]
    public static async Task<AnalyticsSummary> GetAnalytics(
        AnalyticsService analytics, [Description("How many days back, 1-365")] int days = 30, CancellationToken cancellationToken = default) =>
        Unwrap(await analytics.SummaryAsync(days, cancellationToken));

    private static T Unwrap<T>(StoreResult<T> result) => result.ToToolResult();
}

public static class StoreToolResults
{
    /// <summary>
    /// A refusal becomes a tool error the agent can read (McpException messages reach the client): what kind of
    /// refusal, the detail, and the fields at fault.
    /// </summary>
    public static T ToToolResult<T>(this StoreResult<T> result) =>
        result.Error is { } error ? throw new McpException(Describe(error)) : result.Value!;

    public static string Describe(StoreError error)
    {
        var kind = error.Kind switch
        {
            StoreErrorKind.NotFound => "not_found",
            StoreErrorKind.Conflict => "conflict",
            StoreErrorKind.Forbidden => "forbidden",
            StoreErrorKind.Unavailable => "unavailable",
            _ => "invalid_input",
        };
        var fields = error.Errors is { Count: > 0 } errors ? $" ({string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))})" : "";
        return $"{kind}: {error.Detail}{fields}";
    }
}
