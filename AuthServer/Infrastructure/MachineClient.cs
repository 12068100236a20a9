namespace AlyAspire.AuthServer.Infrastructure;

/// <summary>
/// A workspace's machine client: a confidential OAuth client (an OpenIddict application) that obtains access tokens
/// with the <c>client_credentials</c> grant, acting for the workspace rather than for a person. Its tokens hang off
/// one standing authorization, so deleting the client revokes all of them with one marker.
/// </summary>
public sealed class MachineClient
{
    public Guid Id { get; set; }

    public Guid WorkspaceId { get; set; }

    /// <summary>The OAuth <c>client_id</c> (public).</summary>
    public required string ClientId { get; set; }

    /// <summary>The OpenIddict application's id; its <c>ClientSecret</c> holds the hash of the current secret.</summary>
    public required string ApplicationId { get; set; }

    /// <summary>The standing OpenIddict authorization every token of this client is issued under.</summary>
    public required string AuthorizationId { get; set; }

    public required string Name { get; set; }

    /// <summary>What its tokens may carry: within the creator's role when it was created.</summary>
    public required string[] Scopes { get; set; }

    /// <summary>Who created it (<c>user:&lt;id&gt;</c>).</summary>
    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The display form of the current secret (<c>aly_mcs_ab12…yz89</c>), never the secret.</summary>
    public required string SecretDisplay { get; set; }

    public DateTimeOffset? RotatedAt { get; set; }

    /// <summary>The hash of the secret before the last rotation, accepted until <see cref="PreviousSecretValidUntil"/>.</summary>
    public string? PreviousSecretHash { get; set; }

    public DateTimeOffset? PreviousSecretValidUntil { get; set; }

    /// <summary>
    /// The UCP platform profile URL (canonical, <see cref="AlyAspire.Shared.Credentials.PlatformProfiles"/>) the client is bound
    /// to, or null: its tokens carry it, and UCP requests with them whose <c>UCP-Agent</c> names another are refused.
    /// Set when the client is created; a rotation keeps it.
    /// </summary>
    public string? PlatformProfile { get; set; }
}
