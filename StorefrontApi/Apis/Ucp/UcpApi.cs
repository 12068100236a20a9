using AlyAspire.Shared.Routes;
using System.Text.Json;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using AlyAspire.StorefrontApi.Extensions;
using Microsoft.AspNetCore.Mvc;

namespace AlyAspire.StorefrontApi.Apis.Ucp;

/// <summary>
/// UCP (Universal Commerce Protocol, release <see cref="UcpProtocol.Version"/>): the business profile at
/// <c>/.well-known/ucp</c> and the REST binding of catalog search/lookup, checkout and order — a thin adapter over the
/// same application services and behind the same bearer gate and scope policies as the merchant API. The binding
/// lives under the REST resource, so an OAuth token for the REST API is valid here.
/// </summary>
public static class UcpApi
{
    public const string BasePath = AgentRoutes.Ucp;
    public const string ProfilePath = AgentRoutes.UcpProfile;
    public const string AgentHeader = "UCP-Agent";
    public const string IdempotencyHeader = "Idempotency-Key";

    public static WebApplication MapUcp(this WebApplication app)
    {
        app.MapGet(ProfilePath, Profile).AllowAnonymous().WithTags("UCP").WithSummary("The UCP business profile");

        var ucp = app.MapGroup(BasePath)
            .RequireAuthorization(AgentBearerDefaults.AuthenticatedPolicy)
            .WithAgentLimits(app)
            .WithMetadata(new RequestSizeLimitAttribute(MerchantApi.MaxRequestBodyBytes))
            .AddEndpointFilter(RequirePlatformProfile)
            .WithTags("UCP");
        ucp.MapPost("/catalog/search", SearchCatalog).RequireScope(ScopeCatalogue.ReadContent).WithSummary("UCP catalog search");
        ucp.MapPost("/catalog/lookup", LookupCatalog).RequireScope(ScopeCatalogue.ReadContent).WithSummary("UCP catalog lookup");
        ucp.MapPost("/checkout-sessions", CreateCheckout).RequireScope(ScopeCatalogue.WriteOrders).WithSummary("UCP create checkout");
        ucp.MapGet("/checkout-sessions/{id}", GetCheckout).RequireScope(ScopeCatalogue.ReadOrders).WithSummary("UCP get checkout");
        ucp.MapPut("/checkout-sessions/{id}", UpdateCheckout).RequireScope(ScopeCatalogue.WriteOrders).WithSummary("UCP update checkout");
        ucp.MapPost("/checkout-sessions/{id}/complete", CompleteCheckout).RequireScope(ScopeCatalogue.WriteOrders).WithSummary("UCP complete checkout");
        ucp.MapPost("/checkout-sessions/{id}/cancel", CancelCheckout).RequireScope(ScopeCatalogue.WriteOrders).WithSummary("UCP cancel checkout");
        ucp.MapGet("/orders/{id}", GetOrder).RequireScope(ScopeCatalogue.ReadOrders).WithSummary("UCP get order");
        return app;
    }

    public static IResult Profile(HttpRequest request, AgentResources resources)
    {
        var baseUrl = resources.BaseUrl(request);
        var profile = new
        {
            Ucp = new
            {
                Version = UcpProtocol.Version,
                Services = new Dictionary<string, object[]>
                {
                    [UcpProtocol.ShoppingService] =
                    [
                        new
                        {
                            Version = UcpProtocol.Version, Spec = UcpProtocol.Spec("overview"), Transport = "rest", Endpoint = baseUrl + BasePath,
                            Schema = $"https://ucp.dev/{UcpProtocol.Version}/services/shopping/rest.openapi.json",
                        },
                        new
                        {
                            Version = UcpProtocol.Version, Spec = UcpProtocol.Spec("overview"), Transport = "a2a", Endpoint = baseUrl + A2a.A2aApi.CardPath,
                            Schema = (string?)null,
                        },
                    ],
                },
                Capabilities = new Dictionary<string, object[]>
                {
                    [UcpProtocol.CatalogSearch] = [Capability("catalog/search", "shopping/catalog_search.json")],
                    [UcpProtocol.CatalogLookup] = [Capability("catalog/lookup", "shopping/catalog_lookup.json")],
                    [UcpProtocol.Checkout] = [Capability("checkout", "shopping/checkout.json")],
                    [UcpProtocol.Order] = [Capability("order", "shopping/order.json")],
                },
                PaymentHandlers = UcpProtocol.PaymentHandlers,
            },
        };
        return Results.Json(profile, UcpProtocol.Json);
    }

    private static object Capability(string spec, string schema) => new { Version = UcpProtocol.Version, Spec = UcpProtocol.Spec(spec), Schema = UcpProtocol.Schema(schema) };

    public static async Task<IResult> SearchCatalog(HttpRequest request, CatalogService catalog, CancellationToken ct)
    {
        if (await ReadBodyAsync(request, ct) is not { } body)
        {
            return InvalidJson();
        }

        var query = Str(body, "query");
        var pagination = body.TryGetProperty("pagination", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        var limit = pagination.ValueKind == JsonValueKind.Object && pagination.TryGetProperty("limit", out var l) && l.TryGetInt32(out var n) ? n : 10;
        var page = 1;
        if (pagination.ValueKind == JsonValueKind.Object && Str(pagination, "cursor") is { } cursor && (!int.TryParse(cursor, out page) || page < 1))
        {
            return UcpProtocol.ProtocolError(StatusCodes.Status400BadRequest, "invalid_request", "pagination.cursor is not a cursor this store issued.");
        }

        var result = await catalog.ListProductsAsync(Domain.ProductStatus.Active, query, page, Math.Clamp(limit, 1, Paging.MaxPageSize), ct);
        if (result.Error is { } error)
        {
            return error.ToUcpError();
        }

        var found = result.Value!;
        var hasNext = found.Page * found.PageSize < found.Total;
        return Results.Json(new
        {
            Ucp = UcpProtocol.Metadata(UcpProtocol.CatalogSearch),
            Products = found.Items.Select(i => UcpProtocol.ProductBody(i)).ToArray(),
            Pagination = new { Cursor = hasNext ? (page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : null, HasNextPage = hasNext, TotalCount = found.Total },
        }, UcpProtocol.Json);
    }

    public static async Task<IResult> LookupCatalog(HttpRequest request, CatalogService catalog, CancellationToken ct)
    {
        if (await ReadBodyAsync(request, ct) is not { } body)
        {
            return InvalidJson();
        }

        if (!body.TryGetProperty("ids", out var idsElement) || idsElement.ValueKind != JsonValueKind.Array || idsElement.GetArrayLength() == 0)
        {
            return UcpProtocol.ProtocolError(StatusCodes.Status400BadRequest, "invalid_request", "ids must be a non-empty array of product ids.");
        }

        var requested = idsElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.ToString()).ToList();
        var ids = requested.Select(r => Guid.TryParse(r, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToList();
        var products = ids.Count == 0 ? [] : (await catalog.FindForSaleAsync(ids, ct)) is { Error: null } found ? found.Value! : [];
        if (requested.Count > Paging.MaxPageSize)
        {
            return UcpProtocol.ProtocolError(StatusCodes.Status400BadRequest, "invalid_request", $"At most {Paging.MaxPageSize} ids per lookup.");
        }

        var unknown = requested.Where(r => !products.Any(p => string.Equals(p.Id.ToString(), r, StringComparison.OrdinalIgnoreCase))).ToArray();
        return Results.Json(new
        {
            Ucp = UcpProtocol.Metadata(UcpProtocol.CatalogLookup),
            Products = products.Select(p => UcpProtocol.ProductBody(p, requested.First(r => string.Equals(p.Id.ToString(), r, StringComparison.OrdinalIgnoreCase)))).ToArray(),
            Messages = unknown.Length == 0 ? null
                : unknown.Select(u => new { Type = "info", Code = "not_found", Content = $"No product for sale has the id '{u}'." }).ToArray(),
        }, UcpProtocol.Json);
    }

    public static Task<IResult> CreateCheckout(HttpRequest request, CheckoutService checkouts, IdempotentRequests idempotency, AgentResources resources, CancellationToken ct) =>
        IdempotentAsync(request, idempotency, "create", async (body, c) =>
        {
            var created = await checkouts.CreateAsync(ReadInput(body), PlatformProfileOf(request)!, c);
            return created.Error is { } error ? Refusal(error) : Render(StatusCodes.Status201Created, UcpProtocol.CheckoutBody(created.Value!, resources.BaseUrl(request)));
        }, ct);

    public static async Task<IResult> GetCheckout(string id, HttpRequest request, CheckoutService checkouts, AgentResources resources, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var sessionId))
        {
            return SessionNotFound();
        }

        var session = await checkouts.GetAsync(sessionId, ct);
        return session.Error is { } error ? error.ToUcpError() : Results.Json(UcpProtocol.CheckoutBody(session.Value!, resources.BaseUrl(request)), UcpProtocol.Json);
    }

    public static Task<IResult> UpdateCheckout(string id, HttpRequest request, CheckoutService checkouts, IdempotentRequests idempotency, AgentResources resources, CancellationToken ct) =>
        !Guid.TryParse(id, out var sessionId) ? Task.FromResult(SessionNotFound())
        : IdempotentAsync(request, idempotency, "update " + id, async (body, c) =>
        {
            var updated = await checkouts.UpdateAsync(sessionId, ReadInput(body), c);
            return updated.Error is { } error ? Refusal(error) : Render(StatusCodes.Status200OK, UcpProtocol.CheckoutBody(updated.Value!, resources.BaseUrl(request)));
        }, ct);

    public static Task<IResult> CompleteCheckout(string id, HttpRequest request, CheckoutService checkouts, IdempotentRequests idempotency, AgentResources resources, CancellationToken ct) =>
        !Guid.TryParse(id, out var sessionId) ? Task.FromResult(SessionNotFound())
        : IdempotentAsync(request, idempotency, "complete " + id, async (body, c) =>
        {
            var completed = await checkouts.CompleteAsync(sessionId, ReadPayment(body), c);
            if (completed.Error is not { } error)
            {
                return Render(StatusCodes.Status200OK, UcpProtocol.CheckoutBody(completed.Value!, resources.BaseUrl(request)));
            }

            // A business outcome (not ready, payment declined): the session as it is, with the reason as a message.
            if (error.Kind is StoreErrorKind.Validation or StoreErrorKind.Conflict && (await checkouts.GetAsync(sessionId, c)).Value is { } current)
            {
                var messages = (error.Errors ?? new Dictionary<string, string[]> { [""] = [error.Detail] })
                    .Where(e => current.Issues.All(i => i.Path != e.Key))
                    .Select(e => (object)new
                    {
                        Type = "error", Code = error.ProblemType ?? (error.Kind == StoreErrorKind.Conflict ? "invalid_state" : "invalid_input"),
                        Content = string.Join(" ", e.Value), Path = e.Key.Length == 0 ? null : "$." + e.Key, Severity = "recoverable",
                    });
                // Rendered as 200 but not remembered: nothing changed, so a retry with a better request may reuse the key.
                return new RenderedResponse(StatusCodes.Status200OK, JsonSerializer.Serialize(UcpProtocol.CheckoutBody(current, resources.BaseUrl(request), messages), UcpProtocol.Json))
                {
                    Remember = false,
                };
            }

            return Refusal(error);
        }, ct);

    public static Task<IResult> CancelCheckout(string id, HttpRequest request, CheckoutService checkouts, IdempotentRequests idempotency, AgentResources resources, CancellationToken ct) =>
        !Guid.TryParse(id, out var sessionId) ? Task.FromResult(SessionNotFound())
        : IdempotentAsync(request, idempotency, "cancel " + id, async (_, c) =>
        {
            var canceled = await checkouts.CancelAsync(sessionId, c);
            return canceled.Error is { } error ? Refusal(error) : Render(StatusCodes.Status200OK, UcpProtocol.CheckoutBody(canceled.Value!, resources.BaseUrl(request)));
        }, ct, bodyOptional: true);

    public static async Task<IResult> GetOrder(string id, HttpRequest request, OrderService orders, CheckoutService checkouts, AgentResources resources, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var orderId))
        {
            return UcpProtocol.ProtocolError(StatusCodes.Status404NotFound, "not_found", "The order was not found.");
        }

        var order = await orders.GetAsync(orderId, ct);
        return order.Error is { } error
            ? error.ToUcpError()
            : Results.Json(UcpProtocol.OrderBody(order.Value!, await checkouts.SessionOfOrderAsync(orderId, ct), resources.BaseUrl(request)), UcpProtocol.Json);
    }

    /// <summary>
    /// Every UCP request names its platform's profile (<c>UCP-Agent: profile="https://…"</c>, an RFC 8941 dictionary);
    /// one that does not is refused before any work (<c>invalid_profile_url</c>, 400), and so is one from a credential
    /// bound to another platform (UCP's identity binding: 403).
    /// </summary>
    private static async ValueTask<object?> RequirePlatformProfile(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (PlatformProfileOf(context.HttpContext.Request) is not { } profile)
        {
            return UcpProtocol.ProtocolError(StatusCodes.Status400BadRequest, "invalid_profile_url",
                $"The {AgentHeader} header must name the platform's profile: profile=\"https://…/.well-known/ucp\".");
        }

        return BindingConflict(context.HttpContext.User, profile) is { } conflict
            ? UcpProtocol.ProtocolError(StatusCodes.Status403Forbidden, "forbidden", conflict)
            : await next(context);
    }

    /// <summary>
    /// UCP's identity binding: a credential bound to a platform profile acts for that platform only. Why the request's
    /// <paramref name="profile"/> is refused, or null. The bound profile is not echoed: the caller either knows it or should not learn it.
    /// </summary>
    public static string? BindingConflict(System.Security.Claims.ClaimsPrincipal caller, string profile) =>
        PlatformProfiles.Conflicts(caller.FindFirst(AgentClaimTypes.PlatformProfile)?.Value, profile)
            ? $"This credential is bound to another platform profile than the one {AgentHeader} names ({profile})."
            : null;

    public static string? PlatformProfileOf(HttpRequest request)
    {
        foreach (var member in request.Headers[AgentHeader].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = member.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0 || member[..separator].Trim() != "profile")
            {
                continue;
            }

            var value = member[(separator + 1)..].Trim();
            var end = value.IndexOf(';', StringComparison.Ordinal); // parameters follow the item
            value = end >= 0 ? value[..end] : value;
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"'
                && Uri.TryCreate(value[1..^1], UriKind.Absolute, out var profile) && profile.Scheme is "https" or "http" && value.Length <= 2048)
            {
                return profile.AbsoluteUri;
            }
        }

        return null;
    }

    private static async Task<IResult> IdempotentAsync(
        HttpRequest request, IdempotentRequests idempotency, string operation, Func<JsonElement, CancellationToken, Task<RenderedResponse>> run,
        CancellationToken ct, bool bodyOptional = false)
    {
        var key = request.Headers[IdempotencyHeader].ToString();
        if (key.Length is 0 or > IdempotentRequests.MaxKeyLength || key.Any(char.IsControl))
        {
            return UcpProtocol.ProtocolError(StatusCodes.Status400BadRequest, "invalid_request",
                $"State-changing UCP requests carry an {IdempotencyHeader} header (at most {IdempotentRequests.MaxKeyLength} characters).");
        }

        var raw = await ReadRawAsync(request, ct);
        JsonElement body;
        try
        {
            body = raw.Length == 0 && bodyOptional ? default : JsonDocument.Parse(raw).RootElement.Clone();
        }
        catch (JsonException)
        {
            return InvalidJson();
        }

        if (body.ValueKind != JsonValueKind.Object && !(bodyOptional && body.ValueKind == JsonValueKind.Undefined))
        {
            return InvalidJson();
        }

        var outcome = await idempotency.RunAsync(key, IdempotentRequests.HashOf(operation, raw), c => run(body, c), ct);
        return outcome.Kind == IdempotentOutcomeKind.KeyReused
            ? UcpProtocol.ProtocolError(StatusCodes.Status409Conflict, "idempotency_key_reused", $"This {IdempotencyHeader} was used with a different request.")
            : Results.Text(outcome.Response!.Body, "application/json", System.Text.Encoding.UTF8, outcome.Response.StatusCode);
    }

    private static RenderedResponse Render(int status, object body) => new(status, JsonSerializer.Serialize(body, UcpProtocol.Json));

    private static RenderedResponse Refusal(StoreError error)
    {
        // An item that is not for sale is a business outcome (UCP's error response), everything else a protocol error.
        if (error.ProblemType == "item_unavailable")
        {
            var path = error.Errors?.Keys.FirstOrDefault() is { } field ? "$." + field : null;
            return new RenderedResponse(StatusCodes.Status200OK, JsonSerializer.Serialize(UcpProtocol.ErrorResponse("item_unavailable", error.Detail, path), UcpProtocol.Json))
            {
                Remember = false,
            };
        }

        var (status, code) = error.Kind switch
        {
            StoreErrorKind.NotFound => (StatusCodes.Status404NotFound, "not_found"),
            StoreErrorKind.Conflict => (StatusCodes.Status409Conflict, error.ProblemType ?? "invalid_state"),
            StoreErrorKind.Forbidden => (StatusCodes.Status403Forbidden, "forbidden"),
            StoreErrorKind.Unavailable => (StatusCodes.Status503ServiceUnavailable, "unavailable"),
            _ => (StatusCodes.Status400BadRequest, error.ProblemType ?? "invalid_request"),
        };
        return new RenderedResponse(status, JsonSerializer.Serialize(new { Code = code, Content = error.Detail }, UcpProtocol.Json));
    }

    private static CheckoutInput ReadInput(JsonElement body)
    {
        List<CheckoutLineInput>? lines = null;
        if (body.TryGetProperty("line_items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            lines = items.EnumerateArray().Select(i => new CheckoutLineInput(
                i.ValueKind == JsonValueKind.Object && i.TryGetProperty("item", out var item) && item.ValueKind == JsonValueKind.Object ? Str(item, "id") : null,
                i.ValueKind == JsonValueKind.Object && i.TryGetProperty("quantity", out var q) && q.TryGetInt32(out var n) ? n : 0)).ToList();
        }

        CheckoutBuyerInput? buyer = body.TryGetProperty("buyer", out var b) && b.ValueKind == JsonValueKind.Object
            ? new CheckoutBuyerInput(Str(b, "email"), Str(b, "first_name"), Str(b, "last_name"))
            : null;
        return new CheckoutInput(lines, buyer);
    }

    private static CheckoutPayment ReadPayment(JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("payment", out var payment) && payment.ValueKind == JsonValueKind.Object
            && payment.TryGetProperty("instruments", out var instruments) && instruments.ValueKind == JsonValueKind.Array)
        {
            var chosen = instruments.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object).ToList();
            var instrument = chosen.FirstOrDefault(i => i.TryGetProperty("selected", out var s) && s.ValueKind == JsonValueKind.True);
            instrument = instrument.ValueKind == JsonValueKind.Object ? instrument : chosen.FirstOrDefault();
            if (instrument.ValueKind == JsonValueKind.Object)
            {
                var token = instrument.TryGetProperty("credential", out var credential) && credential.ValueKind == JsonValueKind.Object ? Str(credential, "token") : null;
                return new CheckoutPayment(Str(instrument, "handler_id"), token);
            }
        }

        return new CheckoutPayment(null, null);
    }

    private static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static async Task<JsonElement?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            var raw = await ReadRawAsync(request, ct);
            var root = JsonDocument.Parse(raw.Length == 0 ? "{}"u8.ToArray() : raw).RootElement.Clone();
            return root.ValueKind == JsonValueKind.Object ? root : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<byte[]> ReadRawAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct); // bounded by the group's request size limit
        return buffer.ToArray();
    }

    private static IResult InvalidJson() =>
        UcpProtocol.ProtocolError(StatusCodes.Status400BadRequest, "invalid_request", "The body must be a JSON object as the UCP schemas describe.");

    private static IResult SessionNotFound() =>
        UcpProtocol.ProtocolError(StatusCodes.Status404NotFound, "not_found", "The checkout session was not found.");
}
