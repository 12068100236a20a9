namespace AlyAspire.StorefrontApi.Domain;

/// <summary>Every merchant record belongs to exactly one workspace; the store's query filters key on it.</summary>
public interface IWorkspaceOwned
{
    Guid WorkspaceId { get; set; }
}

/// <summary>
/// The demo workspaces, the same as the AuthServer's development seed (Shared/Development/DemoWorkspace.cs):
/// <see cref="DemoStore"/> is the "Demo Store" of owner@demo.store (configuration <c>DemoWorkspace:Id</c> may override
/// it); <see cref="OtherStore"/> is a second store (<c>DemoWorkspace:SecondId</c>) whose data proves workspace isolation.
/// </summary>
public static class DemoWorkspaces
{
    public static readonly Guid DemoStore = Shared.Development.DemoWorkspace.Id;
    public static readonly Guid OtherStore = Shared.Development.DemoWorkspace.OtherId;
}

public sealed class WorkspaceSettings : IWorkspaceOwned
{
    public Guid WorkspaceId { get; set; }
    public required string Name { get; set; }
    public required string SupportEmail { get; set; }
    public required string DefaultCurrency { get; set; }
    public required string Timezone { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One entry of the workspace's activity feed: who did what to which record.</summary>
public sealed class ActivityEvent : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public required string Actor { get; set; }
    public required string Kind { get; set; }
    public required string Summary { get; set; }
    public string? SubjectId { get; set; }
}

/// <summary>Daily storefront traffic, as the analytics pipeline would deliver it.</summary>
public sealed class TrafficDay : IWorkspaceOwned
{
    public Guid WorkspaceId { get; set; }
    public DateOnly Day { get; set; }
    public int Visitors { get; set; }
    public int PageViews { get; set; }
}
