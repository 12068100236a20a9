using System.Security.Claims;
using System.Text.Encodings.Web;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Http;
using AlyAspire.Shared.Scopes;
using AlyAspire.RateLimiter.Client.PreAuth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AlyAspire.AgentGate;

/// <summary>
/// The bearer gate of the agent surfaces. It decides by the bearer's form which verifier to ask (OAuth tokens
/// <c>aly_oauth_…</c>, API keys <c>aly_…</c>), refuses the dashboard's session JWT outright, and turns either kind
/// of credential into the same principal (<see cref="AgentClaimTypes"/>). An OAuth token is only accepted by the
/// resource named in its audience (RFC 8707); API keys are not bound to a resource.
/// </summary>
public sealed partial class AgentBearerHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IEnumerable<ICredentialVerifier> verifiers,
    AgentResources resources,
    IOptions<BenchmarkOptions> benchmark,
    IPreAuthPenalty penalty)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string BearerPrefix = "Bearer ";

    private GateFailure? _failure;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (benchmark.Value.DisableAgentGate)
        {
            return AuthenticateResult.Success(new AuthenticationTicket(BenchmarkPrincipal(), Scheme.Name));
        }

        string authorization = Request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            // A browser that reached an agent surface with its dashboard cookie gets told why it is not enough.
            return HasSessionCookie()
                ? Refuse(OAuthErrorCodes.InvalidToken, AgentBearerDefaults.SessionTokenRefused)
                : AuthenticateResult.NoResult();
        }

        if (!authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(OAuthErrorCodes.InvalidRequest, "The Authorization header must use the Bearer scheme.");
        }

        var bearer = authorization[BearerPrefix.Length..].Trim();
        var kind = CredentialFormats.Classify(bearer);
        switch (kind)
        {
            case CredentialKind.SessionJwt:
                return Refuse(OAuthErrorCodes.InvalidToken, AgentBearerDefaults.SessionTokenRefused);
            case CredentialKind.Unknown:
                return RefuseUnverified(kind, "The bearer token is neither an API key nor an OAuth access token.");
        }

        var verifier = verifiers.FirstOrDefault(v => v.Kind == kind);
        if (verifier is null)
        {
            LogNoVerifier(Logger, kind);
            return Unavailable($"{kind} credentials cannot be verified right now.");
        }

        CredentialVerification verification;
        try
        {
            verification = await verifier.VerifyAsync(bearer, Context.RequestAborted);
        }
        catch (Exception ex) when (!Context.RequestAborted.IsCancellationRequested)
        {
            // The credential's source is down: that is not the agent's fault, and not a reason to let it in.
            LogVerifierUnavailable(Logger, ex, kind);
            return Unavailable("The credential could not be verified right now; retry shortly.");
        }

        if (verification.Credential is not { } credential)
        {
            return RefuseUnverified(kind, verification.FailureReason ?? "The credential is not valid.");
        }

        // Identified: from here on the request can be counted against this credential, whether it is let in or not.
        Context.Features.Set(new VerifiedCredentialFeature(credential, bearer));
        if (credential.Kind == CredentialKind.OAuthAccessToken)
        {
            var resource = resources.ResourceFor(Request);
            if (!credential.Audiences.Any(audience => AgentResources.SameResource(audience, resource)))
            {
                return RefuseUnverified(kind, $"The access token was not issued for this resource ({resource}).");
            }
        }

        return AuthenticateResult.Success(new AuthenticationTicket(CreatePrincipal(credential), Scheme.Name));
    }

    /// <summary>The same claims for an API key and an OAuth token.</summary>
    public static ClaimsPrincipal CreatePrincipal(VerifiedCredential credential)
    {
        var claims = new List<Claim>
        {
            new(AgentClaimTypes.WorkspaceId, credential.WorkspaceId),
            new(AgentClaimTypes.CredentialId, credential.CredentialId),
            new(AgentClaimTypes.CredentialKind, credential.Kind.ToString()),
        };
        if (credential.UserId is not null)
        {
            claims.Add(new Claim(AgentClaimTypes.UserId, credential.UserId));
        }

        if (credential.ClientId is not null)
        {
            claims.Add(new Claim(AgentClaimTypes.ClientId, credential.ClientId));
        }

        if (credential.PlatformProfile is not null)
        {
            claims.Add(new Claim(AgentClaimTypes.PlatformProfile, credential.PlatformProfile));
        }

        claims.AddRange(credential.Scopes.Select(scope => new Claim(AgentClaimTypes.Scope, scope)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, AgentBearerDefaults.Scheme, AgentClaimTypes.UserId, null));
    }

    private ClaimsPrincipal BenchmarkPrincipal() => CreatePrincipal(new VerifiedCredential(
        CredentialKind.ApiKey, "benchmark", benchmark.Value.WorkspaceId.ToString(), null, null, ScopeCatalogue.Names, null, []));

    private bool HasSessionCookie() =>
        Request.Cookies.ContainsKey(CredentialFormats.SessionCookieName) || Request.Cookies.ContainsKey(CredentialFormats.DevelopmentSessionCookieName);

    private AuthenticateResult Refuse(string error, string description)
    {
        _failure = new GateFailure(StatusCodes.Status401Unauthorized, error, description);
        return AuthenticateResult.Fail(description);
    }

    private AuthenticateResult RefuseUnverified(CredentialKind kind, string reason)
    {
        // A failed verification costs the caller's address extra pre-auth budget: guessing secrets is throttled hardest.
        penalty.ChargeFailedVerification(Context);
        LogRefused(Logger, kind, reason);
        return Refuse(OAuthErrorCodes.InvalidToken, reason);
    }

    private AuthenticateResult Unavailable(string description)
    {
        _failure = new GateFailure(StatusCodes.Status503ServiceUnavailable, OAuthErrorCodes.TemporarilyUnavailable, description);
        return AuthenticateResult.Fail(description);
    }

    // How long a caller is asked to wait when a verifier (KeyService, AuthServer) cannot be reached.
    private static readonly TimeSpan VerificationRetryAfter = TimeSpan.FromSeconds(5);

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = _failure;
        if (failure is { Status: StatusCodes.Status503ServiceUnavailable })
        {
            Response.StatusCode = failure.Status;
            RetryAfterHeader.Set(Response, VerificationRetryAfter);
            await WriteProblemAsync(failure.Status, ProblemTypes.ServiceUnavailable, "Credential verification is unavailable", failure.Description);
            return;
        }

        var metadata = resources.MetadataUrlFor(Request);
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        // RFC 6750 §3: a request without credentials gets a bare challenge (plus where to learn how to get one, RFC 9728,
        // and the scope this operation needs); a refused credential gets the error and why.
        Response.Headers.WWWAuthenticate = BearerChallenge.Create(failure?.Error, failure?.Description, ScopeHint(), metadata);
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized,
            failure is null ? "A bearer credential is required" : "The bearer credential was refused",
            failure?.Description ?? "Send an API key or an OAuth access token in the Authorization header.");
    }

    /// <summary>The scope the addressed operation needs, or those an endpoint advertises (MCP: its tools' scopes).</summary>
    private string? ScopeHint() => Context.GetEndpoint()?.Metadata.GetMetadata<IScopeHintMetadata>()?.ScopeHint;

    private Task WriteProblemAsync(int status, string type, string title, string detail) =>
        Response.WriteAsJsonAsync(new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail },
            options: null, contentType: "application/problem+json", Context.RequestAborted);

    private sealed record GateFailure(int Status, string Error, string Description);

    [LoggerMessage(Level = LogLevel.Error, Message = "No verifier is registered for {Kind} credentials")]
    private static partial void LogNoVerifier(ILogger logger, CredentialKind kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "A {Kind} bearer was refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, CredentialKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Kind} verifier could not reach its source")]
    private static partial void LogVerifierUnavailable(ILogger logger, Exception exception, CredentialKind kind);
}
