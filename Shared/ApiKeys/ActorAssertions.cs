using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AlyAspire.Shared.ApiKeys;

/// <summary>A person acting in a workspace, as an actor assertion vouches for them.</summary>
/// <param name="Role">The person's role in the workspace when the AuthServer signed (read from its memberships).</param>
public sealed record PersonActor(Guid UserId, Guid WorkspaceId, string Role, string? SourceIp);

/// <summary>The shared verification key of actor assertions (section <c>ActorAssertions</c>, an Aspire secret parameter).</summary>
public sealed class ActorAssertionOptions
{
    public const string Section = "ActorAssertions";

    /// <summary>Held by the AuthServer (which signs) and the KeyService (which verifies) only.</summary>
    [Required, MinLength(32)]
    public string SigningKey { get; set; } = string.Empty;
}

/// <summary>
/// Short-lived JWTs (HMAC-SHA-256, two minutes) in which the AuthServer vouches for a person's role in a workspace
/// when the dashboard manages keys on their behalf. The KeyService takes the person's ceiling from the role in a
/// valid assertion only, so a caller that merely holds the service credential cannot claim more.
/// </summary>
public sealed class ActorAssertions(IOptions<ActorAssertionOptions> options, TimeProvider time)
{
    public const string Issuer = "alyaspire-authserver";
    public const string Audience = "alyaspire-keyservice";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    private const string WorkspaceClaim = "org";
    private const string RoleClaim = "role";
    private const string SourceIpClaim = "ip";

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SymmetricSecurityKey _key = new(Encoding.UTF8.GetBytes(options.Value.SigningKey));

    public string Issue(Guid userId, Guid workspaceId, string role, string? sourceIp)
    {
        var now = time.GetUtcNow();
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = userId.ToString(),
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            [WorkspaceClaim] = workspaceId.ToString(),
            [RoleClaim] = role,
        };
        if (sourceIp is not null)
        {
            claims[SourceIpClaim] = sourceIp;
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + Lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
            Claims = claims,
        });
    }

    /// <returns>The person, or null when the assertion is not valid (bad signature, expired, malformed).</returns>
    public async Task<PersonActor?> ValidateAsync(string assertion)
    {
        var result = await _handler.ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.Zero,
            LifetimeValidator = (notBefore, expires, _, _) =>
                expires is { } exp && exp > time.GetUtcNow().UtcDateTime
                && (notBefore is null || notBefore <= time.GetUtcNow().UtcDateTime.AddSeconds(5)),
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt
            || !Guid.TryParse(jwt.Subject, out var userId)
            || !jwt.TryGetPayloadValue<string>(WorkspaceClaim, out var org) || !Guid.TryParse(org, out var workspaceId)
            || !jwt.TryGetPayloadValue<string>(RoleClaim, out var role))
        {
            return null;
        }

        return new PersonActor(userId, workspaceId, role, jwt.TryGetPayloadValue<string>(SourceIpClaim, out var ip) ? ip : null);
    }
}

public static class ActorAssertionExtensions
{
    /// <summary>Registers <see cref="ActorAssertions"/> with its key from <c>ActorAssertions:SigningKey</c>, checked at start.</summary>
    public static IServiceCollection AddActorAssertions(this IServiceCollection services)
    {
        services.AddOptions<ActorAssertionOptions>().BindConfiguration(ActorAssertionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ActorAssertions>();
        return services;
    }
}
