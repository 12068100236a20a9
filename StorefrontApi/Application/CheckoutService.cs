using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Application;

public sealed record CheckoutLineInput(string? ProductId, int Quantity);

public sealed record CheckoutBuyerInput(string? Email, string? FirstName, string? LastName);

/// <summary>What a shopping agent sets on a session: the full list of lines and, optionally, the buyer.</summary>
public sealed record CheckoutInput(IReadOnlyList<CheckoutLineInput>? Lines, CheckoutBuyerInput? Buyer);

/// <summary>A payment credential presented at completion: the handler it is for and its token.</summary>
public sealed record CheckoutPayment(string? HandlerId, string? Token);

/// <summary>What is still missing before a session can be completed (a field path and why).</summary>
public sealed record CheckoutIssue(string Path, string Code, string Message);

public sealed record CheckoutView(
    Guid Id, string Status, string Currency, IReadOnlyList<CheckoutLine> Lines, long Subtotal, long Total,
    CheckoutBuyerInput? Buyer, Guid? OrderId, int? OrderNumber, DateTimeOffset ExpiresAt, IReadOnlyList<CheckoutIssue> Issues);

/// <summary>
/// Checkout sessions of shopping agents (the UCP checkout capability; surface-neutral). Lines are priced from the
/// workspace's active products whenever they are set; completing with the development payment handler's approved
/// token places a paid order in the store, in one transaction with the session's change.
/// </summary>
public sealed class CheckoutService(StoreDbContext db, OrderService orders, TimeProvider time)
{
    /// <summary>The development payment handler: no money moves; its test tokens approve or decline.</summary>
    public const string TestPaymentHandlerId = "aly_test_payments";
    public const string ApprovedTestToken = "tok_aly_test_approved";
    public const string DeclinedTestToken = "tok_aly_test_declined";

    /// <summary>UCP's default session lifetime.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(6);

    private const int MaxLines = 100;
    private const int MaxQuantity = 1000;

    public async Task<StoreResult<CheckoutView>> CreateAsync(CheckoutInput input, string platformProfile, CancellationToken ct)
    {
        var priced = await PriceAsync(input.Lines, ct);
        if (priced.Error is { } error)
        {
            return error;
        }

        if (ValidateBuyer(input.Buyer) is { } invalidBuyer)
        {
            return invalidBuyer;
        }

        var now = time.GetUtcNow();
        var session = new CheckoutSession
        {
            Id = Guid.CreateVersion7(now), Status = CheckoutStatus.Incomplete, Currency = priced.Value!.Currency, PlatformProfile = platformProfile,
            Lines = priced.Value.Lines, CreatedAt = now, UpdatedAt = now, ExpiresAt = now + SessionLifetime,
        };
        ApplyBuyer(session, input.Buyer);
        session.Status = Issues(session).Count == 0 ? CheckoutStatus.ReadyForComplete : CheckoutStatus.Incomplete;
        db.CheckoutSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return await ViewAsync(session, ct);
    }

    public async Task<StoreResult<CheckoutView>> GetAsync(Guid id, CancellationToken ct) =>
        await db.CheckoutSessions.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) is { } session
            ? await ViewAsync(session, ct)
            : StoreError.NotFound("The checkout session");

    /// <summary>Replaces the lines (and the buyer, when given); a completed or canceled session cannot change.</summary>
    public async Task<StoreResult<CheckoutView>> UpdateAsync(Guid id, CheckoutInput input, CancellationToken ct)
    {
        var session = await db.CheckoutSessions.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (session is null)
        {
            return StoreError.NotFound("The checkout session");
        }

        if (Final(session) is { } final)
        {
            return final;
        }

        var priced = await PriceAsync(input.Lines, ct);
        if (priced.Error is { } error)
        {
            return error;
        }

        if (ValidateBuyer(input.Buyer) is { } invalidBuyer)
        {
            return invalidBuyer;
        }

        session.Lines = priced.Value!.Lines;
        session.Currency = priced.Value.Currency;
        ApplyBuyer(session, input.Buyer);
        session.Status = Issues(session).Count == 0 ? CheckoutStatus.ReadyForComplete : CheckoutStatus.Incomplete;
        session.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return await ViewAsync(session, ct);
    }

    /// <summary>
    /// Takes the payment and places the order. Completing a completed session answers its order again (a retry);
    /// an incomplete one is refused with what is missing; a declined token leaves the session as it was.
    /// </summary>
    public async Task<StoreResult<CheckoutView>> CompleteAsync(Guid id, CheckoutPayment payment, CancellationToken ct)
    {
        var session = await db.CheckoutSessions.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (session is null)
        {
            return StoreError.NotFound("The checkout session");
        }

        if (session.Status == CheckoutStatus.Completed)
        {
            return await ViewAsync(session, ct);
        }

        if (Final(session) is { } final)
        {
            return final;
        }

        // Prices may have moved since the lines were set: complete at today's prices, as the totals will show.
        var repriced = await PriceAsync(session.Lines.Select(l => new CheckoutLineInput(l.ProductId.ToString(), l.Quantity)).ToList(), ct);
        if (repriced.Error is { } error)
        {
            return error;
        }

        session.Lines = repriced.Value!.Lines;
        if (Issues(session) is { Count: > 0 } issues)
        {
            return new StoreError(StoreErrorKind.Validation, "The checkout is not ready: " + string.Join(" ", issues.Select(i => i.Message)),
                issues.ToDictionary(i => i.Path, i => new[] { i.Message }));
        }

        if (payment.HandlerId != TestPaymentHandlerId)
        {
            return StoreError.Invalid("payment.instruments[0].handler_id", $"The only payment handler is '{TestPaymentHandlerId}'.");
        }

        if (payment.Token == DeclinedTestToken)
        {
            return new StoreError(StoreErrorKind.Conflict, "The payment was declined.", null, "payment_declined");
        }

        if (payment.Token != ApprovedTestToken)
        {
            return StoreError.Invalid("payment.instruments[0].credential.token",
                $"The test payment handler accepts the token '{ApprovedTestToken}' (or '{DeclinedTestToken}' to see a decline).");
        }

        var placed = await orders.CreateAsync(
            new CreateOrderRequest(null, session.BuyerEmail, session.Lines.Select(l => new CreateOrderLine(l.ProductId, l.Quantity)).ToList(), 0m), ct);
        if (placed.Error is { } refused)
        {
            return refused;
        }

        var paid = await orders.MarkPaidAsync(placed.Value!.Id, ct);
        if (paid.Error is { } notPaid)
        {
            return notPaid;
        }

        session = await db.CheckoutSessions.FirstAsync(c => c.Id == id, ct);
        session.Status = CheckoutStatus.Completed;
        session.OrderId = paid.Value!.Id;
        session.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return await ViewAsync(session, ct);
    }

    public async Task<StoreResult<CheckoutView>> CancelAsync(Guid id, CancellationToken ct)
    {
        var session = await db.CheckoutSessions.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (session is null)
        {
            return StoreError.NotFound("The checkout session");
        }

        if (session.Status == CheckoutStatus.Completed)
        {
            return StoreError.Conflict("A completed checkout cannot be canceled; its order can be.");
        }

        if (session.Status != CheckoutStatus.Canceled)
        {
            session.Status = CheckoutStatus.Canceled;
            session.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }

        return await ViewAsync(session, ct);
    }

    /// <summary>The checkout session an order came from, if it came from one.</summary>
    public async Task<Guid?> SessionOfOrderAsync(Guid orderId, CancellationToken ct) =>
        await db.CheckoutSessions.AsNoTracking().Where(c => c.OrderId == orderId).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);

    /// <summary>Minor units of a store amount (the store keeps two decimals).</summary>
    public static long MinorUnits(decimal amount) => (long)Math.Round(amount * 100m, MidpointRounding.AwayFromZero);

    private StoreError? Final(CheckoutSession session) =>
        session.Status is CheckoutStatus.Completed or CheckoutStatus.Canceled
            ? StoreError.Conflict($"The checkout session is {session.Status} and can no longer change.")
            : session.ExpiresAt <= time.GetUtcNow()
                ? StoreError.Conflict("The checkout session has expired; start a new one.")
                : null;

    private sealed record Priced(string Currency, List<CheckoutLine> Lines);

    private async Task<StoreResult<Priced>> PriceAsync(IReadOnlyList<CheckoutLineInput>? input, CancellationToken ct)
    {
        if (input is not { Count: > 0 and <= MaxLines })
        {
            return StoreError.Invalid("line_items", $"A checkout needs between 1 and {MaxLines} line items.");
        }

        var ids = new List<Guid>();
        for (var i = 0; i < input.Count; i++)
        {
            if (!Guid.TryParse(input[i].ProductId, out var productId))
            {
                return StoreError.Invalid($"line_items[{i}].item.id", $"line_items[{i}].item.id must be a product id from the catalog.");
            }

            if (input[i].Quantity is < 1 or > MaxQuantity)
            {
                return StoreError.Invalid($"line_items[{i}].quantity", $"line_items[{i}].quantity must be between 1 and {MaxQuantity}.");
            }

            ids.Add(productId);
        }

        var distinct = ids.Distinct().ToList();
        var products = await db.Products.AsNoTracking().Where(p => distinct.Contains(p.Id) && p.Status == ProductStatus.Active).ToDictionaryAsync(p => p.Id, ct);
        var missing = ids.FindIndex(id => !products.ContainsKey(id));
        if (missing >= 0)
        {
            return new StoreError(StoreErrorKind.NotFound, $"The product {ids[missing]} is not for sale.",
                new Dictionary<string, string[]> { [$"line_items[{missing}].item.id"] = ["not for sale"] }, "item_unavailable");
        }

        var currencies = products.Values.Select(p => p.Currency).Distinct().ToList();
        if (currencies.Count > 1)
        {
            return StoreError.Invalid("line_items", "All items of a checkout must be priced in one currency.");
        }

        var lines = input.Select((l, i) => new CheckoutLine
        {
            Id = $"li_{i + 1}", ProductId = ids[i], Title = products[ids[i]].Title, UnitPrice = MinorUnits(products[ids[i]].Price), Quantity = l.Quantity,
        }).ToList();
        return new Priced(currencies[0], lines);
    }

    private static StoreError? ValidateBuyer(CheckoutBuyerInput? buyer) =>
        buyer?.Email is { } email && (email.Length > 254 || email.IndexOf('@', StringComparison.Ordinal) < 1 || email.EndsWith('@'))
            ? StoreError.Invalid("buyer.email", "buyer.email must be an email address.")
            : buyer?.FirstName?.Length > 100 || buyer?.LastName?.Length > 100
                ? StoreError.Invalid("buyer", "buyer names are at most 100 characters.")
                : null;

    private static void ApplyBuyer(CheckoutSession session, CheckoutBuyerInput? buyer)
    {
        if (buyer is null)
        {
            return;
        }

        session.BuyerEmail = buyer.Email?.Trim() ?? session.BuyerEmail;
        session.BuyerFirstName = buyer.FirstName?.Trim() ?? session.BuyerFirstName;
        session.BuyerLastName = buyer.LastName?.Trim() ?? session.BuyerLastName;
    }

    private static List<CheckoutIssue> Issues(CheckoutSession session) =>
        session.BuyerEmail is null ? [new CheckoutIssue("$.buyer.email", "missing", "The buyer's email address is required to place the order.")] : [];

    private async Task<CheckoutView> ViewAsync(CheckoutSession s, CancellationToken ct)
    {
        var subtotal = s.Lines.Sum(l => l.UnitPrice * l.Quantity);
        int? number = s.OrderId is { } orderId ? await db.Orders.AsNoTracking().Where(o => o.Id == orderId).Select(o => (int?)o.Number).FirstOrDefaultAsync(ct) : null;
        var buyer = s.BuyerEmail is null && s.BuyerFirstName is null && s.BuyerLastName is null ? null : new CheckoutBuyerInput(s.BuyerEmail, s.BuyerFirstName, s.BuyerLastName);
        var issues = s.Status is CheckoutStatus.Incomplete ? Issues(s) : [];
        return new CheckoutView(s.Id, s.Status, s.Currency, s.Lines, subtotal, subtotal, buyer, s.OrderId, number, s.ExpiresAt, issues);
    }
}
