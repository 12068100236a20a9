namespace AlyAspire.StorefrontApi.Domain;

/// <summary>The states of a UCP checkout session (the spec's <c>status</c> values this store uses).</summary>
public static class CheckoutStatus
{
    public const string Incomplete = "incomplete";
    public const string ReadyForComplete = "ready_for_complete";
    public const string Completed = "completed";
    public const string Canceled = "canceled";
}

/// <summary>
/// A shopping agent's checkout session (UCP <c>dev.ucp.shopping.checkout</c>): lines priced from the workspace's
/// products when they are set, a buyer, and — once completed — the order it became.
/// </summary>
public sealed class CheckoutSession : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string Status { get; set; }
    public required string Currency { get; set; }
    public string? BuyerEmail { get; set; }
    public string? BuyerFirstName { get; set; }
    public string? BuyerLastName { get; set; }
    /// <summary>The platform profile (UCP-Agent) that created the session.</summary>
    public required string PlatformProfile { get; set; }
    public Guid? OrderId { get; set; }
    public List<CheckoutLine> Lines { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public uint Version { get; set; }
}

/// <summary>A line as priced when the session last changed; amounts in minor units, as UCP carries them.</summary>
public sealed class CheckoutLine
{
    public required string Id { get; set; }
    public Guid ProductId { get; set; }
    public required string Title { get; set; }
    public long UnitPrice { get; set; }
    public int Quantity { get; set; }
}

/// <summary>
/// A state-changing UCP request remembered by its Idempotency-Key: a retry with the same body gets the same answer,
/// the same key with another body is refused (409). Written in the same unit of work as the change itself.
/// </summary>
public sealed class IdempotencyRecord : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string Key { get; set; }
    /// <summary>SHA-256 of the operation and its body, hex.</summary>
    public required string RequestHash { get; set; }
    public int StatusCode { get; set; }
    public required string ResponseBody { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// An A2A task of the store's agent: one structured request (a catalog or order query) or a checkout conversation
/// spanning several messages. Its latest answer is kept so <c>GetTask</c> returns what the agent last said.
/// </summary>
public sealed class AgentTask : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string ContextId { get; set; }
    /// <summary>The skill that handles the task: catalog, orders or checkout.</summary>
    public required string Skill { get; set; }
    /// <summary>The A2A task state, e.g. <c>TASK_STATE_COMPLETED</c>.</summary>
    public required string State { get; set; }
    public Guid? CheckoutSessionId { get; set; }
    /// <summary>The data the agent last answered with (a JSON object), and its words for it.</summary>
    public required string ResultJson { get; set; }
    public required string StatusText { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
