namespace AlyAspire.StorefrontApi.Domain;

/// <summary>An order's life: pending → paid → fulfilled, with refunded and cancelled as the ways out.</summary>
public static class OrderState
{
    public const string Pending = "pending";
    public const string Paid = "paid";
    public const string Fulfilled = "fulfilled";
    public const string Refunded = "refunded";
    public const string Cancelled = "cancelled";

    public static readonly string[] All = [Pending, Paid, Fulfilled, Refunded, Cancelled];

    public static bool IsKnown(string? state) => state is not null && All.Contains(state, StringComparer.Ordinal);
}

public sealed class Order : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    /// <summary>The merchant-facing number (#1001…), unique within the workspace.</summary>
    public int Number { get; set; }
    public Guid? CustomerId { get; set; }
    public required string Email { get; set; }
    public required string State { get; set; }
    public required string Currency { get; set; }
    public decimal Subtotal { get; set; }
    public decimal Shipping { get; set; }
    public decimal Total { get; set; }
    public decimal RefundedAmount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? PaidAt { get; set; }
    /// <summary>Concurrency token (PostgreSQL's xmin): a state change based on a stale read is refused.</summary>
    public uint Version { get; set; }
    public List<OrderLine> Lines { get; set; } = [];
    public List<Fulfillment> Fulfillments { get; set; } = [];
    public List<Refund> Refunds { get; set; } = [];
}

public sealed class OrderLine
{
    public Guid ProductId { get; set; }
    public required string Title { get; set; }
    public int Quantity { get; set; }
    public decimal UnitPrice { get; set; }
}

public sealed class Fulfillment
{
    public Guid FulfillmentId { get; set; }
    public string? Carrier { get; set; }
    public string? TrackingNumber { get; set; }
    public DateTimeOffset FulfilledAt { get; set; }
    public required string FulfilledBy { get; set; }
}

public sealed class Refund
{
    public Guid RefundId { get; set; }
    public decimal Amount { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset RefundedAt { get; set; }
    public required string RefundedBy { get; set; }
}
