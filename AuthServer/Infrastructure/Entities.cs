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

    /// <summary>When the person proved they read mail at <see cref="Email"/>; null until then.</summary>
    public DateTimeOffset? EmailVerifiedAt { get; set; }

    /// <summary>
    /// Carried by every dashboard session and checked on each request: raising it (password reset or change)
    /// ends every session issued before.
    /// </summary>
    public int SessionVersion { get; set; }

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

/// <summary>What an <see cref="AccountToken"/> lets its holder do, once.</summary>
public enum AccountTokenPurpose
{
    VerifyEmail = 1,
    ResetPassword = 2,
}

/// <summary>
/// A single-use, expiring link token mailed to a person (e-mail verification, password reset). Only the token's
/// SHA-256 is kept; the token itself exists only in the mail.
/// </summary>
public sealed class AccountToken
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public AccountTokenPurpose Purpose { get; set; }

    public required byte[] TokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>
/// An invitation to join a workspace with a role: pending until the invitee, signed in with a verified account for
/// exactly this e-mail, accepts it. The link's token is kept only as its SHA-256.
/// </summary>
public sealed class Invitation
{
    public Guid Id { get; set; }

    public Guid WorkspaceId { get; set; }

    public Workspace Workspace { get; set; } = null!;

    public required string Email { get; set; }

    public required string NormalizedEmail { get; set; }

    public required string Role { get; set; }

    public required byte[] TokenHash { get; set; }

    public Guid InvitedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? AcceptedAt { get; set; }

    public Guid? AcceptedBy { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>
/// A side effect committed with the change that causes it (a mail to send, revocation markers to set) and delivered
/// afterwards, with retries, by <see cref="AlyAspire.AuthServer.Outbox.OutboxDispatcher"/>. <see cref="Kind"/> picks the handler.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    public required string Kind { get; set; }

    /// <summary>The handler's input (JSON; protected with Data Protection when it carries a link token).</summary>
    public required string Payload { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public int Attempts { get; set; }

    /// <summary>The last failure's type and message, for operators; never the payload.</summary>
    public string? LastError { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }
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
