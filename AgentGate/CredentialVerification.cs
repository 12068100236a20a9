using AlyAspire.Shared.Credentials;

namespace AlyAspire.AgentGate;

/// <summary>
/// What a verifier learned about a valid credential. The same shape for API keys and OAuth tokens,
/// so the bearer gate builds one kind of principal from either.
/// </summary>
/// <param name="AuthorizationId">The OAuth grant the credential lives under: an access token's authorization, or
/// the grant an agent-minted API key was minted under (it dies with it).</param>
/// <param name="PlatformProfile">The UCP platform profile the credential is bound to (<see cref="PlatformProfiles"/>), if any.</param>
public sealed record VerifiedCredential(
    CredentialKind Kind,
    string CredentialId,
    string WorkspaceId,
    string? UserId,
    string? ClientId,
    IReadOnlyList<string> Scopes,
    DateTimeOffset? ExpiresAt,
    IReadOnlyList<string> Audiences,
    string? AuthorizationId = null,
    string? PlatformProfile = null);

/// <summary>The credential the gate verified for the current request (set even when authorization then refuses it).</summary>
/// <remarks>
/// <see cref="Bearer"/> is the very string the gate accepted, so what acts on the caller's behalf downstream (the
/// KeyService, which verifies it again and takes the caller's ceiling from it) gets exactly that credential. A class,
/// not a record: a record's generated <c>ToString</c> would print the secret.
/// </remarks>
public sealed class VerifiedCredentialFeature(VerifiedCredential credential, string bearer)
{
    public VerifiedCredential Credential { get; } = credential;

    public string Bearer { get; } = bearer;

    public override string ToString() => $"VerifiedCredentialFeature {{ Credential = {Credential} }}";
}

/// <summary>The outcome of verifying a bearer string: a credential, or why it is not one.</summary>
public sealed record CredentialVerification(VerifiedCredential? Credential, string? FailureReason)
{
    public bool IsValid => Credential is not null;

    public static CredentialVerification Valid(VerifiedCredential credential) => new(credential, null);

    public static CredentialVerification Invalid(string reason) => new(null, reason);
}

/// <summary>
/// Verifies one kind of credential for the agent surfaces. Implementations cache what they learn, but a
/// revocation must win over every cache on the very next request (see <see cref="RevocationSignals"/>).
/// </summary>
public interface ICredentialVerifier
{
    CredentialKind Kind { get; }

    ValueTask<CredentialVerification> VerifyAsync(string bearer, CancellationToken cancellationToken);
}
