using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.StorefrontApi.Apis;

public static class OrdersApi
{
    public static RouteGroupBuilder MapOrdersApi(this RouteGroupBuilder merchant)
    {
        var orders = merchant.MapGroup("/orders").WithTags("Orders");

        orders.MapGet("/", ListOrders).RequireScope(ScopeCatalogue.ReadOrders)
            .WithSummary("List orders, newest first, optionally by state (pending, paid, fulfilled, refunded, cancelled)");
        orders.MapGet("/{id:guid}", GetOrder).RequireScope(ScopeCatalogue.ReadOrders).WithSummary("Get an order with its lines, fulfillments and refunds");
        orders.MapPost("/", CreateOrder).RequireScope(ScopeCatalogue.WriteOrders).WithSummary("Create a manual order (starts pending)");
        orders.MapPost("/{id:guid}/mark-paid", MarkPaid).RequireScope(ScopeCatalogue.WriteOrders).WithSummary("Record payment of a pending order");
        orders.MapPost("/{id:guid}/fulfill", Fulfill).RequireScope(ScopeCatalogue.WriteOrders).WithSummary("Fulfill a paid order");
        orders.MapPost("/{id:guid}/refund", Refund).RequireScope(ScopeCatalogue.WriteOrders).WithSummary("Refund a paid or fulfilled order, fully or in part");
        orders.MapPost("/{id:guid}/cancel", Cancel).RequireScope(ScopeCatalogue.WriteOrders).WithSummary("Cancel a pending or paid order");
        return merchant;
    }

    public static async Task<Results<Ok<PagedList<OrderSummary>>, ProblemHttpResult>> ListOrders(
        OrderService orders, CancellationToken ct, string? state = null, int page = 1, int pageSize = Paging.DefaultPageSize) =>
        (await orders.ListAsync(state, page, pageSize, ct)).ToOk();

    public static async Task<Results<Ok<OrderDetails>, ProblemHttpResult>> GetOrder(Guid id, OrderService orders, CancellationToken ct) =>
        (await orders.GetAsync(id, ct)).ToOk();

    public static async Task<Results<Created<OrderDetails>, ProblemHttpResult>> CreateOrder(CreateOrderRequest request, OrderService orders, CancellationToken ct) =>
        (await orders.CreateAsync(request, ct)).ToCreated(o => $"{MerchantApi.BasePath}/orders/{o.Id}");

    public static async Task<Results<Ok<OrderDetails>, ProblemHttpResult>> MarkPaid(Guid id, OrderService orders, CancellationToken ct) =>
        (await orders.MarkPaidAsync(id, ct)).ToOk();

    public static async Task<Results<Ok<OrderDetails>, ProblemHttpResult>> Fulfill(Guid id, FulfillOrderRequest? request, OrderService orders, CancellationToken ct) =>
        (await orders.FulfillAsync(id, request ?? new FulfillOrderRequest(null, null), ct)).ToOk();

    public static async Task<Results<Ok<OrderDetails>, ProblemHttpResult>> Refund(Guid id, RefundOrderRequest request, OrderService orders, CancellationToken ct) =>
        (await orders.RefundAsync(id, request, ct)).ToOk();

    public static async Task<Results<Ok<OrderDetails>, ProblemHttpResult>> Cancel(Guid id, OrderService orders, CancellationToken ct) =>
        (await orders.CancelAsync(id, ct)).ToOk();
}
