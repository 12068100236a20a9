using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Application;

public sealed record OrderSummary(Guid Id, int Number, string State, string Email, decimal Total, string Currency, int Items, DateTimeOffset CreatedAt);

public sealed record OrderDetails(
    Guid Id, int Number, string State, Guid? CustomerId, string Email, string Currency,
    decimal Subtotal, decimal Shipping, decimal Total, decimal RefundedAmount,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? PaidAt,
    IReadOnlyList<OrderLineView> Lines, IReadOnlyList<FulfillmentView> Fulfillments, IReadOnlyList<RefundView> Refunds);

public sealed record OrderLineView(Guid ProductId, string Title, int Quantity, decimal UnitPrice);

public sealed record FulfillmentView(Guid Id, string? Carrier, string? TrackingNumber, DateTimeOffset FulfilledAt, string FulfilledBy);

public sealed record RefundView(Guid Id, decimal Amount, string Reason, DateTimeOffset RefundedAt, string RefundedBy);

public sealed record CreateOrderRequest(Guid? CustomerId, string? Email, IReadOnlyList<CreateOrderLine>? Lines, decimal? Shipping);

public sealed record CreateOrderLine(Guid ProductId, int Quantity);

public sealed record FulfillOrderRequest(string? Carrier, string? TrackingNumber);

public sealed record RefundOrderRequest(decimal? Amount, string? Reason);

/// <summary>Orders: the list and the state machine (pending → paid → fulfilled; refunded, cancelled). Used by REST and MCP.</summary>
public sealed class OrderService(StoreDbContext db, ICurrentWorkspace workspace, ActivityFeed activity, TimeProvider time)
{
    public async Task<StoreResult<PagedList<OrderSummary>>> ListAsync(string? state, int page, int pageSize, CancellationToken ct)
    {
        if (Paging.Validate(page, pageSize) is { } invalid)
        {
            return invalid;
        }

        if (state is not null && !OrderState.IsKnown(state))
        {
            return StoreError.Invalid("state", $"state must be one of: {string.Join(", ", OrderState.All)}.");
        }

        var query = db.Orders.AsNoTracking();
        if (state is not null)
        {
            query = query.Where(o => o.State == state);
        }

        var total = await query.CountAsync(ct);
        var items = await query
            .OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Number)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(o => new OrderSummary(o.Id, o.Number, o.State, o.Email, o.Total, o.Currency, o.Lines.Count, o.CreatedAt))
            .ToListAsync(ct);
        return new PagedList<OrderSummary>(items, page, pageSize, total);
    }

    public async Task<StoreResult<OrderDetails>> GetAsync(Guid id, CancellationToken ct) =>
        await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct) is { } order ? ToDetails(order) : StoreError.NotFound("The order");

    /// <summary>A manual order (phone or in-person sale) starts pending, priced from the catalogue.</summary>
    public async Task<StoreResult<OrderDetails>> CreateAsync(CreateOrderRequest request, CancellationToken ct)
    {
        if (request.Lines is not { Count: > 0 } requested)
        {
            return StoreError.Invalid("lines", "An order needs at least one line.");
        }

        if (requested.Any(l => l.Quantity is < 1 or > 1000))
        {
            return StoreError.Invalid("lines", "Each line's quantity must be between 1 and 1000.");
        }

        if (request.Shipping is < 0)
        {
            return StoreError.Invalid("shipping", "shipping cannot be negative.");
        }

        var email = request.Email?.Trim();
        if (request.CustomerId is { } customerId)
        {
            var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == customerId, ct);
            if (customer is null)
            {
                return StoreError.NotFound("The customer");
            }

            email ??= customer.Email;
        }

        if (string.IsNullOrWhiteSpace(email) || !email.Contains('@', StringComparison.Ordinal) || email.Length > 254)
        {
            return StoreError.Invalid("email", "A customer or a valid email address is required.");
        }

        var productIds = requested.Select(l => l.ProductId).Distinct().ToList();
        var products = await db.Products.AsNoTracking().Where(p => productIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        if (productIds.FirstOrDefault(id => !products.ContainsKey(id)) is var unknown && unknown != Guid.Empty)
        {
            return StoreError.Invalid("lines", $"Product {unknown} was not found.");
        }

        var lines = requested.Select(l => new OrderLine
        {
            ProductId = l.ProductId, Title = products[l.ProductId].Title, Quantity = l.Quantity, UnitPrice = products[l.ProductId].Price,
        }).ToList();
        var now = time.GetUtcNow();
        var subtotal = lines.Sum(l => l.UnitPrice * l.Quantity);
        var order = new Order
        {
            Id = Guid.CreateVersion7(now),
            // Numbers are per workspace; the unique index turns a concurrent collision into a conflict, not a duplicate.
            Number = (await db.Orders.MaxAsync(o => (int?)o.Number, ct) ?? 1000) + 1,
            CustomerId = request.CustomerId,
            Email = email,
            State = OrderState.Pending,
            Currency = products[lines[0].ProductId].Currency,
            Subtotal = subtotal,
            Shipping = request.Shipping ?? 0,
            Total = subtotal + (request.Shipping ?? 0),
            Lines = lines,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Orders.Add(order);
        activity.Record("order.created", $"Order #{order.Number} created for {email}", order.Id);
        if (!await TrySaveAsync(ct))
        {
            return StoreError.Conflict("Another order took this number at the same moment; retry.");
        }

        return ToDetails(order);
    }

    public Task<StoreResult<OrderDetails>> MarkPaidAsync(Guid id, CancellationToken ct) =>
        TransitionAsync(id, ct, order =>
        {
            if (order.State != OrderState.Pending)
            {
                return StoreError.Conflict($"Only pending orders can be marked paid; this one is {order.State}.");
            }

            order.State = OrderState.Paid;
            order.PaidAt = time.GetUtcNow();
            activity.Record("order.paid", $"Order #{order.Number} marked paid", order.Id);
            return null;
        });

    public Task<StoreResult<OrderDetails>> FulfillAsync(Guid id, FulfillOrderRequest request, CancellationToken ct) =>
        TransitionAsync(id, ct, order =>
        {
            if (request.Carrier?.Length > 64 || request.TrackingNumber?.Length > 64)
            {
                return StoreError.Invalid("trackingNumber", "carrier and trackingNumber are at most 64 characters.");
            }

            if (order.State != OrderState.Paid)
            {
                return StoreError.Conflict($"Only paid orders can be fulfilled; this one is {order.State}.");
            }

            order.State = OrderState.Fulfilled;
            order.Fulfillments.Add(new Fulfillment
            {
                FulfillmentId = Guid.CreateVersion7(time.GetUtcNow()), Carrier = request.Carrier, TrackingNumber = request.TrackingNumber,
                FulfilledAt = time.GetUtcNow(), FulfilledBy = workspace.Actor,
            });
            activity.Record("order.fulfilled", $"Order #{order.Number} fulfilled", order.Id);
            return null;
        });

    /// <summary>Refunds all (no amount) or part of what was paid; the order is refunded once nothing is left to refund.</summary>
    public Task<StoreResult<OrderDetails>> RefundAsync(Guid id, RefundOrderRequest request, CancellationToken ct) =>
        TransitionAsync(id, ct, order =>
        {
            if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 500)
            {
                return StoreError.Invalid("reason", "A reason (at most 500 characters) is required.");
            }

            if (order.State is not (OrderState.Paid or OrderState.Fulfilled))
            {
                return StoreError.Conflict($"Only paid or fulfilled orders can be refunded; this one is {order.State}.");
            }

            var remaining = order.Total - order.RefundedAmount;
            var amount = request.Amount ?? remaining;
            if (amount <= 0 || amount > remaining || decimal.Round(amount, 2) != amount)
            {
                return StoreError.Invalid("amount", $"amount must be positive, in cents, and at most the {remaining} not yet refunded.");
            }

            order.RefundedAmount += amount;
            order.Refunds.Add(new Refund
            {
                RefundId = Guid.CreateVersion7(time.GetUtcNow()), Amount = amount, Reason = request.Reason, RefundedAt = time.GetUtcNow(), RefundedBy = workspace.Actor,
            });
            if (order.RefundedAmount == order.Total)
            {
                order.State = OrderState.Refunded;
            }

            activity.Record("order.refunded", $"Order #{order.Number} refunded {amount} {order.Currency}", order.Id);
            return null;
        });

    public Task<StoreResult<OrderDetails>> CancelAsync(Guid id, CancellationToken ct) =>
        TransitionAsync(id, ct, order =>
        {
            if (order.State is not (OrderState.Pending or OrderState.Paid))
            {
                return StoreError.Conflict($"Only pending or paid orders can be cancelled; this one is {order.State}.");
            }

            order.State = OrderState.Cancelled;
            activity.Record("order.cancelled", $"Order #{order.Number} cancelled", order.Id);
            return null;
        });

    private async Task<StoreResult<OrderDetails>> TransitionAsync(Guid id, CancellationToken ct, Func<Order, StoreError?> change)
    {
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == id, ct);
        if (order is null)
        {
            return StoreError.NotFound("The order");
        }

        if (change(order) is { } refused)
        {
            return refused;
        }

        order.UpdatedAt = time.GetUtcNow();
        // Two agents acting on one order at once: the second one's write must not silently undo the first's.
        if (!await TrySaveAsync(ct))
        {
            return StoreError.Conflict("The order changed while this request was being handled; read it again and retry.");
        }

        return ToDetails(order);
    }

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

    private static OrderDetails ToDetails(Order o) => new(
        o.Id, o.Number, o.State, o.CustomerId, o.Email, o.Currency, o.Subtotal, o.Shipping, o.Total, o.RefundedAmount,
        o.CreatedAt, o.UpdatedAt, o.PaidAt,
        o.Lines.Select(l => new OrderLineView(l.ProductId, l.Title, l.Quantity, l.UnitPrice)).ToList(),
        o.Fulfillments.Select(f => new FulfillmentView(f.FulfillmentId, f.Carrier, f.TrackingNumber, f.FulfilledAt, f.FulfilledBy)).ToList(),
        o.Refunds.Select(r => new RefundView(r.RefundId, r.Amount, r.Reason, r.RefundedAt, r.RefundedBy)).ToList());
}
