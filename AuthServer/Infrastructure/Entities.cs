namespace AlyAspire.AuthServer.Infrastructure;

/// <summary>A person who can sign in to the dashboard. The password is stored as an ASP.NET Core Identity hash.</summary>
public sealed class User
{
    public Guid Id { get; set; }

    public required string Email { get; set; }

    /// <summary>Upper-cased e-mail, the unique key sign-in looks up.</summary>
    public required string NormalizedEmail { get; set; }

    public required string PasswordHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<Membership> Memberships { get; set; } = [];

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();
}

/// <summary>A workspace: the <c>org</c> of every credential issued in it.</summary>
public sealed class Workspace
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<Membership> Memberships { get; set; } = [];
}

/// <summary>A person's role in a workspace (<see cref="Shared.Scopes.WorkspaceRoles"/>).</summary>
public sealed class Membership
{
    public Guid WorkspaceId { get; set; }

    public Workspace Workspace { get; set; } = null!;

    public Guid UserId { get; set; }

    public User User { get; set; } = null!;

    public required string Role { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// The OpenIddict server's signing or encryption certificate, generated once and kept so a restart loses no token,
/// code or consent. <see cref="Pkcs12"/> holds the PKCS#12 file sealed with the <see cref="KeyEncryptionKey"/>.
/// </summary>
public sealed class ServerCertificate
{
    public required string Purpose { get; set; }

    public required byte[] Pkcs12 { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
