namespace AlyAspire.Shared.Development;

/// <summary>
/// The development seed's workspaces, known to every service by id so the AuthServer's people and the
/// StorefrontApi's store data line up. Seeded only in the Development environment.
/// </summary>
public static class DemoWorkspace
{
    /// <summary>"Demo Store": the development owner's workspace.</summary>
    public static readonly Guid Id = new("d3a0c0de-5700-4e00-8000-000000000001");

    public const string Name = "Demo Store";

    /// <summary>A second workspace the development owner does not belong to, for isolation checks.</summary>
    public static readonly Guid OtherId = new("d3a0c0de-5700-4e00-8000-000000000002");

    public const string OtherName = "Other Store";

    public const string DefaultOwnerEmail = "owner@demo.store";

    public const string DefaultOwnerPassword = "AlyDemo!2026";
}
