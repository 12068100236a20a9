namespace AlyAspire.StorefrontApi.Domain;

public static class ProductStatus
{
    public const string Active = "active";
    public const string Draft = "draft";
    public const string Archived = "archived";

    public static readonly string[] All = [Active, Draft, Archived];
}

public sealed class Product : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string Title { get; set; }
    public required string Handle { get; set; }
    public string? Description { get; set; }
    public decimal Price { get; set; }
    public required string Currency { get; set; }
    public int Inventory { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A curated list of products (manual collections only).</summary>
public sealed class ProductCollection : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string Title { get; set; }
    public required string Handle { get; set; }
    public List<Guid> ProductIds { get; set; } = [];
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A CMS page made of ordered content blocks.</summary>
public sealed class ContentPage : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string Title { get; set; }
    public required string Slug { get; set; }
    public List<ContentBlock> Blocks { get; set; } = [];
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class ContentBlock
{
    public required string Kind { get; set; }
    public required string Body { get; set; }
}
