using System.Security.Claims;
using System.Text;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Scopes;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AlyAspire.AuthServer.Sessions;

/// <summary>What a session says about the person signed in.</summary>
public sealed record DashboardSession(
    Guid UserId, string Email, Guid WorkspaceId, string WorkspaceName, string Role, int SessionVersion, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>What the role permits: always derived, so it cannot disagree with the role.</summary>
    public IReadOnlyList<string> Scopes => WorkspaceRoles.ScopesFor(Role);
}

/// <summary>
/// Issues and reads the dashboard's session JWT (HMAC-SHA-256) and keeps it in its cookie: HttpOnly,
/// SameSite=Lax, Secure with the <c>__Host-</c> name except on plain-http loopback development.
/// </summary>
public sealed class SessionTokens(IOptions<DashboardSessionOptions> options, TimeProvider time, IHostEnvironment environment)
{
    public const string Issuer = "alyaspire-dashboard";
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    // Built once: the options do not change after start-up, and the key is used on every dashboard request.
    private readonly SymmetricSecurityKey _key = new(Encoding.UTF8.GetBytes(options.Value.SigningKey));

    public string CookieName(HttpRequest request) => UsesDevelopmentCookie(request)
        ? CredentialFormats.DevelopmentSessionCookieName
        : CredentialFormats.SessionCookieName;

    /// <param name="sessionVersion">The account's <see cref="Infrastructure.User.SessionVersion"/>: a session of an older one is refused.</param>
    public string Issue(Guid userId, string email, Guid workspaceId, string workspaceName, string role, int sessionVersion)
    {
        var now = time.GetUtcNow();
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Issuer,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + options.Value.Lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                [SessionClaimTypes.Subject] = userId.ToString(),
                [SessionClaimTypes.Email] = email,
                [SessionClaimTypes.WorkspaceId] = workspaceId.ToString(),
                [SessionClaimTypes.WorkspaceName] = workspaceName,
                [SessionClaimTypes.Role] = role,
                [SessionClaimTypes.SessionVersion] = sessionVersion,
                [SessionClaimTypes.Scope] = string.Join(' ', WorkspaceRoles.ScopesFor(role)),
            },
        };
        return _handler.CreateToken(descriptor);
    }

    public async Task<DashboardSession?> ReadAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Issuer,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.Zero,
            LifetimeValidator = (notBefore, expires, _, _) =>
                expires is { } exp && exp > time.GetUtcNow().UtcDateTime && (notBefore is null || notBefore <= time.GetUtcNow().UtcDateTime.AddSeconds(5)),
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        if (!Guid.TryParse(jwt.Subject, out var userId)
            || !jwt.TryGetPayloadValue<string>(SessionClaimTypes.WorkspaceId, out var org) || !Guid.TryParse(org, out var workspaceId)
            || !jwt.TryGetPayloadValue<string>(SessionClaimTypes.Role, out var role)
            || !jwt.TryGetPayloadValue<string>(SessionClaimTypes.WorkspaceName, out var workspaceName)
            || !jwt.TryGetPayloadValue<int>(SessionClaimTypes.SessionVersion, out var sessionVersion)
            || !jwt.TryGetPayloadValue<string>(SessionClaimTypes.Email, out var email))
        {
            return null;
        }

        return new DashboardSession(userId, email, workspaceId, workspaceName, role, sessionVersion,
            new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero), new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
    }

    /// <summary>Signs the person in to one of their workspaces (sign-in, switching, accepting an invitation).</summary>
    public void SignIn(HttpContext context, Infrastructure.User user, People.WorkspaceMembership membership) =>
        WriteCookie(context, Issue(user.Id, user.Email, membership.WorkspaceId, membership.WorkspaceName, membership.Role, user.SessionVersion));

    public void WriteCookie(HttpContext context, string token) =>
        context.Response.Cookies.Append(CookieName(context.Request), token, CookieOptions(context.Request));

    public void DeleteCookie(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName(context.Request), CookieOptions(context.Request));

    private CookieOptions CookieOptions(HttpRequest request) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = !UsesDevelopmentCookie(request),
        Path = "/",
        IsEssential = true,
        MaxAge = options.Value.Lifetime,
    };

    // __Host- cookies need Secure, which browsers refuse over plain http: only loopback development goes without.
    private bool UsesDevelopmentCookie(HttpRequest request) =>
        environment.IsDevelopment() && !request.IsHttps;

    public static ClaimsPrincipal ToPrincipal(DashboardSession session, string scheme)
    {
        var claims = new List<Claim>
        {
            new(SessionClaimTypes.Subject, session.UserId.ToString()),
            new(SessionClaimTypes.Email, session.Email),
            new(SessionClaimTypes.WorkspaceId, session.WorkspaceId.ToString()),
            new(SessionClaimTypes.WorkspaceName, session.WorkspaceName),
            new(SessionClaimTypes.Role, session.Role),
        };
        claims.AddRange(session.Scopes.Select(s => new Claim(SessionClaimTypes.Scope, s)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, SessionClaimTypes.Email, SessionClaimTypes.Role));
    }
}
