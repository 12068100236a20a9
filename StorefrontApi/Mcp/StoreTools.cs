using System.ComponentModel;
using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace AlyAspire.StorefrontApi.Mcp;

/// <summary>
/// The MCP tools: the merchant tasks an agent does most, on the same services as the REST API. Each tool requires
/// its scope twice over: at the HTTP level (<see cref="McpToolScopeMiddleware"/> answers 403 insufficient_scope) and
/// through the SDK's authorization filter (which also hides tools the caller cannot use from tools/list).
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

    [McpServerTool(Name = GetAnalyticsTool, ReadOnly = true), Authorize(Policy = ScopeCatalogue.ReadAnalytics)]
    [Description("Reads the store's traffic and sales over the last N days (visitors, orders, revenue, conversion).")]
    public static async Task<AnalyticsSummary> GetAnalytics(
        AnalyticsService analytics, [Description("How many days back, 1-365")] int days = 30, CancellationToken cancellationToken = default) =>
        Unwrap(await analytics.SummaryAsync(days, cancellationToken));

    /// <summary>A refusal becomes a tool error the agent can read (McpException messages reach the client).</summary>
    private static T Unwrap<T>(StoreResult<T> result) =>
        result.Error is { } error ? throw new McpException(error.Detail) : result.Value!;
}
