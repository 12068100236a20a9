using AlyAspire.Shared.Routes;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Apis.Ucp;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Extensions;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Apis.A2a;

/// <summary>
/// The store's agent over A2A 1.0 (JSON-RPC binding, as @a2a-js/sdk 1.3.0 speaks it): the agent card at
/// <c>/.well-known/agent-card.json</c> and <c>SendMessage</c>, <c>GetTask</c>, <c>CancelTask</c> carrying structured
/// data parts — UCP's A2A binding for checkout, plain structured requests for catalog and orders. No language model:
/// a text part is refused with the list of what is accepted. A thin adapter over the same application services, behind
/// the same gate; each action's scope is checked like every other surface's (403 insufficient_scope).
/// </summary>
public static class A2aApi
{
    public const string CardPath = AgentRoutes.AgentCard;
    public const string EndpointPath = AgentRoutes.A2a;
    public const string ProtocolVersion = "1.0";
    public static readonly string UcpExtension = $"https://ucp.dev/{UcpProtocol.Version}/specification/reference";

    private const string CheckoutKey = "a2a.ucp.checkout";
    private const string PaymentKey = "a2a.ucp.checkout.payment";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The structured actions, the skill that serves each and the scope it needs (one table for dispatch, card and checks).</summary>
    private static readonly Dictionary<string, (string Skill, string Scope)> Actions = new(StringComparer.Ordinal)
    {
        ["search_catalog"] = (Skills.Catalog, ScopeCatalogue.ReadContent),
        ["lookup_catalog"] = (Skills.Catalog, ScopeCatalogue.ReadContent),
        ["list_orders"] = (Skills.Orders, ScopeCatalogue.ReadOrders),
        ["get_order"] = (Skills.Orders, ScopeCatalogue.ReadOrders),
        ["add_to_checkout"] = (Skills.Checkout, ScopeCatalogue.WriteOrders),
        ["update_checkout"] = (Skills.Checkout, ScopeCatalogue.WriteOrders),
        ["complete_checkout"] = (Skills.Checkout, ScopeCatalogue.WriteOrders),
        ["cancel_checkout"] = (Skills.Checkout, ScopeCatalogue.WriteOrders),
    };

    private static string Accepted => "Send a data part with an \"action\": " + string.Join(", ", Actions.Keys)
        + $" (checkout data as UCP's A2A binding: \"{CheckoutKey}\" with line_items/buyer, \"{PaymentKey}\" with the payment instrument).";

    public static class Skills
    {
        public const string Catalog = "catalog";
        public const string Orders = "orders";
        public const string Checkout = "checkout";
    }

    private static string ScopeOfSkill(string skill) => skill switch
    {
        Skills.Catalog => ScopeCatalogue.ReadContent,
        Skills.Orders => ScopeCatalogue.ReadOrders,
        _ => ScopeCatalogue.WriteOrders,
    };

    public static WebApplication MapA2a(this WebApplication app)
    {
        app.MapGet(CardPath, AgentCard).AllowAnonymous().WithTags("A2A").WithSummary("The A2A agent card of the store's agent");
        app.MapPost(EndpointPath, HandleAsync)
            .RequireAuthorization(AgentBearerDefaults.AuthenticatedPolicy)
            .WithAgentLimits(app)
            .WithMetadata(new RequestSizeLimitAttribute(MerchantApi.MaxRequestBodyBytes))
            .WithTags("A2A")
            .WithSummary("A2A JSON-RPC endpoint (SendMessage, GetTask, CancelTask)");
        return app;
    }

    public static IResult AgentCard(HttpRequest request, AgentResources resources)
    {
        var baseUrl = resources.BaseUrl(request);
        var issuer = resources.AuthorizationServer;
        var requirement = (string scope) => new object[]
        {
            new { schemes = new Dictionary<string, object> { ["apiKey"] = new { list = Array.Empty<string>() } } },
            new { schemes = new Dictionary<string, object> { ["oauth"] = new { list = new[] { scope } } } },
        };
        var securitySchemes = new Dictionary<string, object>
        {
            ["apiKey"] = new { httpAuthSecurityScheme = new { scheme = "Bearer", bearerFormat = "aly_ API key", description = "An API key of the workspace, sent as a bearer token." } },
        };
        if (issuer is not null)
        {
            securitySchemes["oauth"] = new
            {
                oauth2SecurityScheme = new
                {
                    description = "An OAuth 2.1 access token for this API (authorization code with PKCE).",
                    flows = new
                    {
                        authorizationCode = new
                        {
                            authorizationUrl = issuer + "/oauth/authorize",
                            tokenUrl = issuer + "/oauth/token",
                            refreshUrl = issuer + "/oauth/token",
                            scopes = ScopeCatalogue.All.ToDictionary(s => s.Name, s => s.Description),
                            pkceRequired = true,
                        },
                    },
                    oauth2MetadataUrl = issuer + "/.well-known/oauth-authorization-server",
                },
            };
        }

        var card = new
        {
            name = "AlyAspire store agent",
            description = "The workspace store's agent: searches the catalog, reads orders and runs checkouts (UCP over A2A). Structured data parts only.",
            supportedInterfaces = new[] { new { url = baseUrl + EndpointPath, protocolBinding = "JSONRPC", protocolVersion = ProtocolVersion } },
            provider = new { organization = "AlyAspire", url = baseUrl },
            version = "1.0.0",
            documentationUrl = baseUrl + "/scalar",
            capabilities = new
            {
                streaming = false,
                pushNotifications = false,
                extensions = new[]
                {
                    new
                    {
                        uri = UcpExtension,
                        description = "Business agent supporting UCP checkout.",
                        required = false,
                        @params = new { capabilities = new Dictionary<string, object[]> { [UcpProtocol.Checkout] = [new { version = UcpProtocol.Version }] } },
                    },
                },
            },
            securitySchemes,
            securityRequirements = requirement(ScopeCatalogue.ReadContent).Take(1).ToArray(),
            defaultInputModes = new[] { "application/json" },
            defaultOutputModes = new[] { "application/json" },
            skills = new object[]
            {
                Skill(Skills.Catalog, "Catalog", "Searches and looks up the products for sale: {\"action\":\"search_catalog\",\"query\":\"mug\"}, {\"action\":\"lookup_catalog\",\"ids\":[…]}.",
                    ["catalog", "products", "ucp"], requirement(ScopeCatalogue.ReadContent)),
                Skill(Skills.Orders, "Orders", "Lists and reads the store's orders: {\"action\":\"list_orders\",\"state\":\"paid\"}, {\"action\":\"get_order\",\"order_id\":\"…\"}.",
                    ["orders"], requirement(ScopeCatalogue.ReadOrders)),
                Skill(Skills.Checkout, "Checkout", $"Runs a UCP checkout: add_to_checkout (product_id, quantity, buyer), update_checkout (\"{CheckoutKey}\"), complete_checkout (\"{PaymentKey}\"), cancel_checkout.",
                    ["checkout", "ucp"], requirement(ScopeCatalogue.WriteOrders)),
            },
        };
        return Results.Json(card, Json);
    }

    private static object Skill(string id, string name, string description, string[] tags, object[] security) => new
    {
        id, name, description, tags, inputModes = new[] { "application/json" }, outputModes = new[] { "application/json" }, securityRequirements = security,
    };

    public sealed record Dependencies(
        HttpContext Context, AgentResources Resources, StoreDbContext Db, CatalogService Catalog, OrderService Orders, CheckoutService Checkouts,
        IdempotentRequests Idempotency, TimeProvider Time);

    public static async Task HandleAsync([AsParameters] Dependencies deps)
    {
        var http = deps.Context;
        JsonElement request;
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            request = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            await WriteAsync(http, Error(null, -32700, "Invalid JSON payload"));
            return;
        }

        var id = request.ValueKind == JsonValueKind.Object && request.TryGetProperty("id", out var idElement) ? idElement.Clone() : (JsonElement?)null;
        if (request.ValueKind != JsonValueKind.Object || Str(request, "jsonrpc") != "2.0" || Str(request, "method") is not { } method)
        {
            await WriteAsync(http, Error(id, -32600, "Request payload validation error: a JSON-RPC 2.0 request object with a method is expected."));
            return;
        }

        var parameters = request.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        var outcome = method switch
        {
            "SendMessage" => await SendMessageAsync(deps, parameters),
            "GetTask" => await GetTaskAsync(deps, parameters),
            "CancelTask" => await CancelTaskAsync(deps, parameters),
            _ => new Outcome(null, new RpcError(-32601, $"Method not found: this agent answers SendMessage, GetTask and CancelTask.")),
        };

        if (outcome.MissingScope is { } scope)
        {
            await ScopeChallengeResultHandler.WriteInsufficientScopeAsync(http, deps.Resources, scope);
            return;
        }

        await WriteAsync(http, outcome.Error is { } error ? Error(id, error.Code, error.Message) : new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id is { } i ? JsonNode.Parse(i.GetRawText()) : null,
            ["result"] = outcome.Result,
        });
    }

    private sealed record RpcError(int Code, string Message);

    private sealed record Outcome(JsonNode? Result, RpcError? Error, string? MissingScope = null);

    private static Outcome Fail(int code, string message) => new(null, new RpcError(code, message));

    private static async Task<Outcome> SendMessageAsync(Dependencies deps, JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object || !parameters.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object
            || Str(message, "messageId") is not { Length: > 0 and <= 200 } messageId)
        {
            return Fail(-32602, "Invalid parameters: params.message with a messageId is required.");
        }

        var parts = message.TryGetProperty("parts", out var partsElement) && partsElement.ValueKind == JsonValueKind.Array ? partsElement.EnumerateArray().ToArray() : [];
        var data = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var part in parts.Where(part => part.ValueKind == JsonValueKind.Object && part.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object))
        {
            foreach (var property in part.GetProperty("data").EnumerateObject())
            {
                data[property.Name] = property.Value.Clone();
            }
        }

        if (data.Count == 0)
        {
            return Fail(-32005, "Content type not supported: this agent reads structured data parts, not text. " + Accepted);
        }

        if (!data.TryGetValue("action", out var actionElement) || actionElement.ValueKind != JsonValueKind.String
            || !Actions.TryGetValue(actionElement.GetString()!, out var route))
        {
            return Fail(-32602, "Invalid parameters: unknown or missing action. " + Accepted);
        }

        if (!Holds(deps.Context, route.Scope))
        {
            return new Outcome(null, null, route.Scope);
        }

        var action = actionElement.GetString()!;
        var contextId = Str(message, "contextId") is { Length: > 0 and <= 128 } givenContext ? givenContext : Guid.NewGuid().ToString();
        Guid? taskId = Str(message, "taskId") is { Length: > 0 } givenTask ? Guid.TryParse(givenTask, out var parsed) ? parsed : Guid.Empty : null;
        if (taskId == Guid.Empty)
        {
            return Fail(-32001, "Task not found.");
        }

        // messageId makes a retry idempotent: the same message gets the same answer; the id reused for another message is refused.
        var hash = IdempotentRequests.HashOf("a2a " + contextId + " " + taskId, JsonSerializer.SerializeToUtf8Bytes(parameters));
        Outcome? failure = null;
        var result = await deps.Idempotency.RunAsync("a2a:" + messageId, hash, async ct =>
        {
            var handled = await RunActionAsync(deps, action, route.Skill, data, contextId, taskId, ct);
            failure = handled.Error is null ? null : handled;
            return handled.Error is null
                ? new RenderedResponse(StatusCodes.Status200OK, handled.Result!.ToJsonString())
                : new RenderedResponse(StatusCodes.Status400BadRequest, "{}");
        }, deps.Context.RequestAborted);

        return result.Kind switch
        {
            IdempotentOutcomeKind.KeyReused => Fail(-32602, "Invalid parameters: this messageId was already used for a different message."),
            _ when failure is not null => failure,
            _ => new Outcome(new JsonObject { ["task"] = JsonNode.Parse(result.Response!.Body) }, null),
        };
    }

    private static async Task<Outcome> RunActionAsync(
        Dependencies deps, string action, string skill, Dictionary<string, JsonElement> data, string contextId, Guid? taskId, CancellationToken ct)
    {
        AgentTask? task = null;
        if (taskId is { } existingId)
        {
            task = await deps.Db.AgentTasks.FirstOrDefaultAsync(t => t.Id == existingId, ct);
            if (task is null || task.ContextId != contextId)
            {
                return Fail(-32001, "Task not found.");
            }

            if (task.Skill != skill || IsTerminal(task.State))
            {
                return Fail(-32004, $"Unsupported operation: task {task.Id} is a {task.Skill} task in state {task.State}; start a new task (omit taskId) in this context.");
            }
        }

        var baseUrl = deps.Resources.BaseUrl(deps.Context.Request);
        (string State, string Text, JsonNode Result, Guid? Checkout) answer;
        switch (action)
        {
            case "search_catalog":
            {
                var limit = data.TryGetValue("limit", out var l) && l.TryGetInt32(out var n) ? Math.Clamp(n, 1, Paging.MaxPageSize) : 10;
                var found = await deps.Catalog.ListProductsAsync(ProductStatus.Active, Str(data, "query"), 1, limit, ct);
                if (found.Error is { } error)
                {
                    return Invalid(error);
                }

                answer = (Completed, $"{found.Value!.Total} products match.", Node(new Dictionary<string, object>
                {
                    ["a2a.ucp.catalog.search"] = new
                    {
                        ucp = UcpProtocol.Metadata(UcpProtocol.CatalogSearch),
                        products = found.Value.Items.Select(i => UcpProtocol.ProductBody(i)).ToArray(),
                    },
                }, UcpProtocol.Json), null);
                break;
            }

            case "lookup_catalog":
            {
                var ids = data.TryGetValue("ids", out var idsElement) && idsElement.ValueKind == JsonValueKind.Array
                    ? idsElement.EnumerateArray().Select(e => Guid.TryParse(e.GetString(), out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToList()
                    : [];
                var found = await deps.Catalog.FindForSaleAsync(ids, ct);
                if (found.Error is { } error)
                {
                    return Invalid(error);
                }

                answer = (Completed, $"{found.Value!.Count} of {ids.Count} products found.", Node(new Dictionary<string, object>
                {
                    ["a2a.ucp.catalog.lookup"] = new
                    {
                        ucp = UcpProtocol.Metadata(UcpProtocol.CatalogLookup),
                        products = found.Value.Select(p => UcpProtocol.ProductBody(p, p.Id.ToString())).ToArray(),
                    },
                }, UcpProtocol.Json), null);
                break;
            }

            case "list_orders":
            {
                var limit = data.TryGetValue("limit", out var l) && l.TryGetInt32(out var n) ? n : Paging.DefaultPageSize;
                var found = await deps.Orders.ListAsync(Str(data, "state"), 1, limit, ct);
                if (found.Error is { } error)
                {
                    return Invalid(error);
                }

                answer = (Completed, $"{found.Value!.Total} orders.", Node(new { orders = found.Value.Items, total = found.Value.Total }, Json), null);
                break;
            }

            case "get_order":
            {
                if (!Guid.TryParse(Str(data, "order_id"), out var orderId))
                {
                    return Fail(-32602, "Invalid parameters: get_order needs an order_id.");
                }

                var order = await deps.Orders.GetAsync(orderId, ct);
                if (order.Error is { } error)
                {
                    return Invalid(error);
                }

                answer = (Completed, $"Order #{order.Value!.Number} is {order.Value.State}.", Node(new Dictionary<string, object>
                {
                    ["a2a.ucp.order"] = UcpProtocol.OrderBody(order.Value, await deps.Checkouts.SessionOfOrderAsync(orderId, ct), baseUrl),
                }, UcpProtocol.Json), null);
                break;
            }

            default:
            {
                var checkout = await RunCheckoutAsync(deps, action, data, task?.CheckoutSessionId, ct);
                if (checkout.Error is { } error)
                {
                    return Invalid(error);
                }

                var view = checkout.Value!.View;
                var state = view.Status switch
                {
                    CheckoutStatus.Completed => Completed,
                    CheckoutStatus.Canceled => Canceled,
                    _ => "TASK_STATE_INPUT_REQUIRED",
                };
                var text = view.Status switch
                {
                    CheckoutStatus.Completed => $"Order #{view.OrderNumber} placed.",
                    CheckoutStatus.Canceled => "The checkout was canceled.",
                    CheckoutStatus.ReadyForComplete => checkout.Value.Note ?? "Ready to complete: send complete_checkout with the payment.",
                    _ => string.Join(" ", view.Issues.Select(i => i.Message)),
                };
                var messages = checkout.Value.Note is { } note ? new[] { (object)new { type = "error", code = "payment_declined", content = note, severity = "recoverable" } } : null;
                answer = (state, text, Node(new Dictionary<string, object> { [CheckoutKey] = UcpProtocol.CheckoutBody(view, baseUrl, messages) }, UcpProtocol.Json), view.Id);
                break;
            }
        }

        var now = deps.Time.GetUtcNow();
        if (task is null)
        {
            task = new AgentTask
            {
                Id = Guid.CreateVersion7(now), ContextId = contextId, Skill = skill, State = answer.State, ResultJson = "{}", StatusText = "", CreatedAt = now,
            };
            deps.Db.AgentTasks.Add(task);
        }

        task.State = answer.State;
        task.StatusText = answer.Text.Length > 1000 ? answer.Text[..1000] : answer.Text;
        task.ResultJson = answer.Result.ToJsonString();
        task.CheckoutSessionId = answer.Checkout ?? task.CheckoutSessionId;
        task.UpdatedAt = now;
        await deps.Db.SaveChangesAsync(ct);
        return new Outcome(Render(task), null);
    }

    private sealed record CheckoutStep(CheckoutView View, string? Note);

    private static async Task<StoreResult<CheckoutStep>> RunCheckoutAsync(
        Dependencies deps, string action, Dictionary<string, JsonElement> data, Guid? sessionId, CancellationToken ct)
    {
        var buyer = data.TryGetValue("buyer", out var b) && b.ValueKind == JsonValueKind.Object ? ReadBuyer(b)
            : data.TryGetValue(CheckoutKey, out var c) && c.ValueKind == JsonValueKind.Object && c.TryGetProperty("buyer", out var cb) && cb.ValueKind == JsonValueKind.Object ? ReadBuyer(cb)
            : null;
        switch (action)
        {
            case "add_to_checkout":
            {
                var line = new CheckoutLineInput(Str(data, "product_id"), data.TryGetValue("quantity", out var q) && q.TryGetInt32(out var n) ? n : 1);
                if (sessionId is not { } existing)
                {
                    if (UcpApi.PlatformProfileOf(deps.Context.Request) is not { } profile)
                    {
                        return StoreError.Invalid("UCP-Agent", "Checkout requests carry the platform's profile: UCP-Agent: profile=\"https://…\".");
                    }

                    if (UcpApi.BindingConflict(deps.Context.User, profile) is { } conflict)
                    {
                        return StoreError.Forbidden(conflict);
                    }

                    return Step(await deps.Checkouts.CreateAsync(new CheckoutInput([line], buyer), profile, ct));
                }

                var current = await deps.Checkouts.GetAsync(existing, ct);
                if (current.Error is { } error)
                {
                    return error;
                }

                var lines = current.Value!.Lines.Select(l => new CheckoutLineInput(l.ProductId.ToString(), l.Quantity)).Append(line).ToList();
                return Step(await deps.Checkouts.UpdateAsync(existing, new CheckoutInput(lines, buyer), ct));
            }

            case "update_checkout":
            {
                if (sessionId is not { } existing)
                {
                    return StoreError.Invalid("taskId", "update_checkout continues a checkout task: send its taskId.");
                }

                var lines = data.TryGetValue(CheckoutKey, out var checkout) && checkout.ValueKind == JsonValueKind.Object
                            && checkout.TryGetProperty("line_items", out var items) && items.ValueKind == JsonValueKind.Array
                    ? items.EnumerateArray().Select(i => new CheckoutLineInput(
                        i.TryGetProperty("item", out var item) && item.ValueKind == JsonValueKind.Object ? Str(item, "id") : null,
                        i.TryGetProperty("quantity", out var q) && q.TryGetInt32(out var n) ? n : 0)).ToList()
                    : (await deps.Checkouts.GetAsync(existing, ct)).Value?.Lines.Select(l => new CheckoutLineInput(l.ProductId.ToString(), l.Quantity)).ToList();
                return Step(await deps.Checkouts.UpdateAsync(existing, new CheckoutInput(lines, buyer), ct));
            }

            case "complete_checkout":
            {
                if (sessionId is not { } existing)
                {
                    return StoreError.Invalid("taskId", "complete_checkout continues a checkout task: send its taskId.");
                }

                var completed = await deps.Checkouts.CompleteAsync(existing, ReadPayment(data), ct);
                if (completed.Error is { ProblemType: "payment_declined" } declined && (await deps.Checkouts.GetAsync(existing, ct)).Value is { } unchanged)
                {
                    return new CheckoutStep(unchanged, declined.Detail);
                }

                return Step(completed);
            }

            default:
                return sessionId is { } toCancel
                    ? Step(await deps.Checkouts.CancelAsync(toCancel, ct))
                    : StoreError.Invalid("taskId", "cancel_checkout continues a checkout task: send its taskId.");
        }
    }

    private static StoreResult<CheckoutStep> Step(StoreResult<CheckoutView> result) =>
        result.Error is { } error ? error : new CheckoutStep(result.Value!, null);

    private static async Task<Outcome> GetTaskAsync(Dependencies deps, JsonElement parameters)
    {
        if (await FindTaskAsync(deps, parameters) is not { } task)
        {
            return Fail(-32001, "Task not found.");
        }

        return !Holds(deps.Context, ScopeOfSkill(task.Skill)) && !Holds(deps.Context, ScopeCatalogue.ReadOrders)
            ? new Outcome(null, null, ScopeOfSkill(task.Skill))
            : new Outcome(Render(task), null);
    }

    private static async Task<Outcome> CancelTaskAsync(Dependencies deps, JsonElement parameters)
    {
        if (await FindTaskAsync(deps, parameters) is not { } task)
        {
            return Fail(-32001, "Task not found.");
        }

        if (!Holds(deps.Context, ScopeOfSkill(task.Skill)))
        {
            return new Outcome(null, null, ScopeOfSkill(task.Skill));
        }

        if (IsTerminal(task.State) || task.CheckoutSessionId is not { } sessionId)
        {
            return Fail(-32002, $"Task not cancelable: it is {task.State}.");
        }

        var canceled = await deps.Checkouts.CancelAsync(sessionId, deps.Context.RequestAborted);
        if (canceled.Error is { } error)
        {
            return Fail(-32002, "Task not cancelable: " + error.Detail);
        }

        task.State = Canceled;
        task.StatusText = "The checkout was canceled.";
        task.ResultJson = Node(new Dictionary<string, object> { [CheckoutKey] = UcpProtocol.CheckoutBody(canceled.Value!, deps.Resources.BaseUrl(deps.Context.Request)) }, UcpProtocol.Json).ToJsonString();
        task.UpdatedAt = deps.Time.GetUtcNow();
        await deps.Db.SaveChangesAsync(deps.Context.RequestAborted);
        return new Outcome(Render(task), null);
    }

    private static async Task<AgentTask?> FindTaskAsync(Dependencies deps, JsonElement parameters) =>
        parameters.ValueKind == JsonValueKind.Object && Guid.TryParse(Str(parameters, "id"), out var taskId)
            ? await deps.Db.AgentTasks.FirstOrDefaultAsync(t => t.Id == taskId, deps.Context.RequestAborted)
            : null;

    private const string Completed = "TASK_STATE_COMPLETED";
    private const string Canceled = "TASK_STATE_CANCELED";

    private static bool IsTerminal(string state) => state is Completed or Canceled or "TASK_STATE_FAILED" or "TASK_STATE_REJECTED";

    private static JsonObject Render(AgentTask task)
    {
        var statusMessage = new JsonObject
        {
            ["messageId"] = $"{task.Id}-{task.UpdatedAt.ToUnixTimeMilliseconds()}",
            ["contextId"] = task.ContextId,
            ["taskId"] = task.Id.ToString(),
            ["role"] = "ROLE_AGENT",
            ["parts"] = new JsonArray(new JsonObject { ["text"] = task.StatusText }, new JsonObject { ["data"] = JsonNode.Parse(task.ResultJson) }),
            ["extensions"] = task.Skill == Skills.Checkout ? new JsonArray(UcpExtension) : null,
        };
        return new JsonObject
        {
            ["id"] = task.Id.ToString(),
            ["contextId"] = task.ContextId,
            ["status"] = new JsonObject { ["state"] = task.State, ["message"] = statusMessage, ["timestamp"] = task.UpdatedAt.ToString("O") },
            ["artifacts"] = new JsonArray(new JsonObject
            {
                ["artifactId"] = $"{task.Skill}-result",
                ["name"] = task.Skill,
                ["parts"] = new JsonArray(new JsonObject { ["data"] = JsonNode.Parse(task.ResultJson) }),
            }),
            ["metadata"] = new JsonObject { ["skill"] = task.Skill },
        };
    }

    private static Outcome Invalid(StoreError error) => error.Kind switch
    {
        StoreErrorKind.NotFound => Fail(-32602, "Invalid parameters: " + error.Detail),
        StoreErrorKind.Unavailable => Fail(-32603, error.Detail),
        // As UCP maps a 403 onto JSON-RPC (e.g. a credential bound to another platform profile).
        StoreErrorKind.Forbidden => Fail(-32000, "Forbidden: " + error.Detail),
        _ => Fail(-32602, "Invalid parameters: " + error.Detail + (error.Errors is { Count: > 0 } e ? $" ({string.Join("; ", e.Keys)})" : "")),
    };

    private static CheckoutBuyerInput ReadBuyer(JsonElement b) => new(Str(b, "email"), Str(b, "first_name"), Str(b, "last_name"));

    private static CheckoutPayment ReadPayment(Dictionary<string, JsonElement> data)
    {
        if (!data.TryGetValue(PaymentKey, out var payment) || payment.ValueKind != JsonValueKind.Object)
        {
            return new CheckoutPayment(null, null);
        }

        // The binding sends the instrument itself; a UCP payment object with instruments is read the same way.
        var instrument = payment.TryGetProperty("instruments", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0 ? list[0] : payment;
        var token = instrument.ValueKind == JsonValueKind.Object && instrument.TryGetProperty("credential", out var credential) && credential.ValueKind == JsonValueKind.Object
            ? Str(credential, "token") : null;
        return new CheckoutPayment(instrument.ValueKind == JsonValueKind.Object ? Str(instrument, "handler_id") : null, token);
    }

    private static bool Holds(HttpContext context, string scope) => context.User.HasClaim(AgentClaimTypes.Scope, scope);

    private static JsonNode Node(object value, JsonSerializerOptions options) => JsonSerializer.SerializeToNode(value, options)!;

    private static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Str(Dictionary<string, JsonElement> data, string name) =>
        data.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonObject Error(JsonElement? id, int code, string message) => new()
    {
        ["jsonrpc"] = "2.0",
        ["id"] = id is { } i ? JsonNode.Parse(i.GetRawText()) : null,
        ["error"] = new JsonObject { ["code"] = code, ["message"] = message },
    };

    private static Task WriteAsync(HttpContext context, JsonObject body)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
