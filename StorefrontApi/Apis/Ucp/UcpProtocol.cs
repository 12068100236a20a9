using System.Text.Json;
using System.Text.Json.Serialization;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.StorefrontApi.Domain;

namespace AlyAspire.StorefrontApi.Apis.Ucp;

/// <summary>The UCP release this store speaks, its capability names and the JSON shapes of its answers.</summary>
public static class UcpProtocol
{
    public const string Version = "2026-04-08";
    public const string ShoppingService = "dev.ucp.shopping";
    public const string Checkout = "dev.ucp.shopping.checkout";
    public const string Order = "dev.ucp.shopping.order";
    public const string CatalogSearch = "dev.ucp.shopping.catalog.search";
    public const string CatalogLookup = "dev.ucp.shopping.catalog.lookup";

    /// <summary>The development payment handler's name in the profile (reverse domain of the platform's docs).</summary>
    public const string TestPaymentHandler = "dev.alyaspire.test_payments";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Spec(string page) => $"https://ucp.dev/{Version}/specification/{page}";

    public static string Schema(string path) => $"https://ucp.dev/{Version}/schemas/{path}";

    public static Dictionary<string, object[]> PaymentHandlers => new()
    {
        [TestPaymentHandler] =
        [
            new
            {
                Id = CheckoutService.TestPaymentHandlerId,
                Version,
                AvailableInstruments = new[] { new { Type = "card" } },
                Config = new { Environment = "development", ApprovedToken = CheckoutService.ApprovedTestToken, DeclinedToken = CheckoutService.DeclinedTestToken },
            },
        ],
    };

    /// <summary>The response's <c>ucp</c> member: the version and the capability that answered (and, for checkout, the payment handlers).</summary>
    public static object Metadata(string capability, bool withPaymentHandlers = false) => new
    {
        Version,
        Status = "success",
        Capabilities = new Dictionary<string, object[]> { [capability] = [new { Version }] },
        PaymentHandlers = withPaymentHandlers ? PaymentHandlers : null,
    };

    /// <summary>A protocol error: an HTTP status with <c>code</c> and <c>content</c>.</summary>
    public static IResult ProtocolError(int status, string code, string content) =>
        Results.Json(new { Code = code, Content = content }, Json, statusCode: status);

    /// <summary>A business outcome that produced no resource (UCP's error response, HTTP 200).</summary>
    public static object ErrorResponse(string code, string content, string? path, string severity = "unrecoverable") => new
    {
        Ucp = new { Version, Status = "error" },
        Messages = new[] { new { Type = "error", Code = code, Content = content, Path = path, Severity = severity } },
    };

    /// <summary>The store's vocabulary in UCP's: protocol errors for what the agent must fix or retry.</summary>
    public static IResult ToUcpError(this StoreError error) => error.Kind switch
    {
        StoreErrorKind.NotFound => ProtocolError(StatusCodes.Status404NotFound, "not_found", error.Detail),
        StoreErrorKind.Conflict => ProtocolError(StatusCodes.Status409Conflict, error.ProblemType ?? "conflict", error.Detail),
        StoreErrorKind.Forbidden => ProtocolError(StatusCodes.Status403Forbidden, "forbidden", error.Detail),
        StoreErrorKind.Unavailable => ProtocolError(StatusCodes.Status503ServiceUnavailable, "unavailable", error.Detail),
        _ => ProtocolError(StatusCodes.Status400BadRequest, error.ProblemType ?? "invalid_request", error.Detail),
    };

    public static object CheckoutBody(CheckoutView c, string baseUrl, IEnumerable<object>? extraMessages = null)
    {
        var messages = c.Issues.Select(i => (object)new { Type = "error", Code = i.Code, Content = i.Message, Path = i.Path, Severity = "requires_buyer_input" })
            .Concat(extraMessages ?? []).ToArray();
        return new
        {
            Ucp = Metadata(Checkout, withPaymentHandlers: true),
            Id = c.Id.ToString(),
            LineItems = c.Lines.Select(l => new
            {
                l.Id,
                Item = new { Id = l.ProductId.ToString(), l.Title, Price = l.UnitPrice },
                l.Quantity,
                Totals = new[] { new { Type = "subtotal", Amount = l.UnitPrice * l.Quantity }, new { Type = "total", Amount = l.UnitPrice * l.Quantity } },
            }).ToArray(),
            Buyer = c.Buyer is { } b ? new { b.Email, b.FirstName, b.LastName } : null,
            c.Status,
            c.Currency,
            Totals = Totals(c.Subtotal, 0, c.Total),
            Messages = messages.Length > 0 ? messages : null,
            Links = Array.Empty<object>(),
            ExpiresAt = c.Status is CheckoutStatus.Completed or CheckoutStatus.Canceled ? (DateTimeOffset?)null : c.ExpiresAt,
            Order = c.OrderId is { } orderId ? new { Id = orderId.ToString(), Label = $"#{c.OrderNumber}", PermalinkUrl = OrderUrl(baseUrl, orderId) } : null,
        };
    }

    public static object OrderBody(OrderDetails o, Guid? checkoutId, string baseUrl)
    {
        var fulfilled = o.State is OrderState.Fulfilled;
        var subtotal = CheckoutService.MinorUnits(o.Subtotal);
        var shipping = CheckoutService.MinorUnits(o.Shipping);
        return new
        {
            Ucp = Metadata(Order),
            Id = o.Id.ToString(),
            Label = $"#{o.Number}",
            CheckoutId = (checkoutId ?? o.Id).ToString(),
            PermalinkUrl = OrderUrl(baseUrl, o.Id),
            LineItems = o.Lines.Select((l, i) => new
            {
                Id = $"li_{i + 1}",
                Item = new { Id = l.ProductId.ToString(), l.Title, Price = CheckoutService.MinorUnits(l.UnitPrice) },
                Quantity = new { Original = l.Quantity, Total = o.State is OrderState.Cancelled ? 0 : l.Quantity, Fulfilled = fulfilled ? l.Quantity : 0 },
                Totals = new[] { new { Type = "total", Amount = CheckoutService.MinorUnits(l.UnitPrice) * l.Quantity } },
                Status = o.State is OrderState.Cancelled ? "removed" : fulfilled ? "fulfilled" : "processing",
            }).ToArray(),
            Fulfillment = new
            {
                Events = o.Fulfillments.Select(f => new
                {
                    Id = f.Id.ToString(), OccurredAt = f.FulfilledAt, Type = "shipped",
                    LineItems = o.Lines.Select((l, i) => new { Id = $"li_{i + 1}", l.Quantity }).ToArray(),
                    f.TrackingNumber, Carrier = f.Carrier,
                }).ToArray(),
            },
            o.Currency,
            Totals = Totals(subtotal, shipping, CheckoutService.MinorUnits(o.Total)),
        };
    }

    public static object ProductBody(ProductView p, string? lookupInput = null)
    {
        var price = new { Amount = CheckoutService.MinorUnits(p.Price), p.Currency };
        var description = new { Plain = string.IsNullOrWhiteSpace(p.Description) ? p.Title : p.Description };
        return new
        {
            Id = p.Id.ToString(),
            p.Handle,
            p.Title,
            Description = description,
            PriceRange = new { Min = price, Max = price },
            Variants = new[]
            {
                new
                {
                    Id = p.Id.ToString(),
                    p.Title,
                    Description = description,
                    Price = price,
                    Availability = new { Available = p.Inventory > 0, Status = p.Inventory > 0 ? "in_stock" : "out_of_stock" },
                    Inputs = lookupInput is null ? null : new[] { new { Id = lookupInput, Match = "exact" } },
                },
            },
        };
    }

    public static string OrderUrl(string baseUrl, Guid orderId) => $"{baseUrl}{UcpApi.BasePath}/orders/{orderId}";

    private static object[] Totals(long subtotal, long fulfillment, long total) =>
        fulfillment > 0
            ? [new { Type = "subtotal", Amount = subtotal }, new { Type = "fulfillment", Amount = fulfillment }, new { Type = "total", Amount = total }]
            : [new { Type = "subtotal", Amount = subtotal }, new { Type = "total", Amount = total }];
}
