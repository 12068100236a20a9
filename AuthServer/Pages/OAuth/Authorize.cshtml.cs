using System.Collections.Immutable;
using System.Security.Claims;
using AlyAspire.AuthServer.Audit;
using AlyAspire.AuthServer.OAuth;
using AlyAspire.Shared.Audit;
using AlyAspire.AuthServer.People;
using AlyAspire.AuthServer.Sessions;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Scopes;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AlyAspire.AuthServer.Pages.OAuth;

public sealed record ConsentWorkspace(Guid WorkspaceId, string WorkspaceName, string Role)
{
    /// <summary>What the person may grant in this workspace: their role's scopes.</summary>
    public IReadOnlyList<string> Scopes => WorkspaceRoles.ScopesFor(Role);
}

/// <summary>
/// The authorization endpoint after OpenIddict has validated the request (client, redirect URI, PKCE S256,
/// scopes, resources): sign-in if needed, then consent, remembered as a permanent authorization.
/// </summary>
public sealed class AuthorizeModel(
    AccountService accounts,
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations,
    IOptions<OAuthServerOptions> oauth,
    AuditTrail audit,
    TimeProvider time) : PageModel
{
    private static readonly string[] ConsentFields = ["decision", "workspace", "__RequestVerificationToken"];

    public string ClientName { get; private set; } = string.Empty;

    public string ClientId { get; private set; } = string.Empty;

    /// <summary>Every host the client may send the person (and the code) back to.</summary>
    public IReadOnlyList<string> RedirectHosts { get; private set; } = [];

    public ClientRegistration Registration { get; private set; } = new(ClientProvenance.PreRegistered, null);

    public IReadOnlyList<ConsentWorkspace> Workspaces { get; private set; } = [];

    public IReadOnlyList<ScopeDefinition> Requested { get; private set; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> RequestParameters { get; private set; } = [];

    private string _userId = string.Empty;

    /// <summary>The client's application id, looked up once per request in <see cref="LoadAsync"/>.</summary>
    private string _applicationId = string.Empty;

    private string? _email;

    /// <summary>The person must verify their e-mail before consenting; the page says so and offers a new link.</summary>
    public bool MustVerifyEmail { get; private set; }

    /// <summary>An error OpenIddict cannot send back to the client (unknown client, unregistered redirect URI…).</summary>
    public OpenIddictResponse? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (ErrorPage() is { } errorPage)
        {
            return errorPage;
        }

        var request = HttpContext.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenIddict authorization request.");
        var session = await HttpContext.AuthenticateAsync(SessionAuthenticationHandler.SchemeName);
        if (!session.Succeeded || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Refuse(Errors.LoginRequired, "Sign-in is required.");
            }

            return Challenge(new AuthenticationProperties { RedirectUri = Request.PathBase + Request.Path + QueryWithout(PromptValues.Login) },
                SessionAuthenticationHandler.SchemeName);
        }

        var loaded = await LoadAsync(request, session.Principal!, ct);
        if (loaded is not null)
        {
            return loaded;
        }

        if (!request.HasPromptValue(PromptValues.Consent) && await FindRememberedAsync(request, ct) is { } remembered)
        {
            return await IssueAsync(request, remembered.Workspace, remembered.AuthorizationId, ct);
        }

        if (request.HasPromptValue(PromptValues.None))
        {
            return Refuse(Errors.ConsentRequired, "Consent is required.");
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (ErrorPage() is { } errorPage)
        {
            return errorPage;
        }

        var request = HttpContext.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenIddict authorization request.");
        var session = await HttpContext.AuthenticateAsync(SessionAuthenticationHandler.SchemeName);
        if (!session.Succeeded)
        {
            return Challenge(SessionAuthenticationHandler.SchemeName);
        }

        var loaded = await LoadAsync(request, session.Principal!, ct);
        if (loaded is not null)
        {
            return loaded;
        }

        var chosen = Guid.TryParse(Request.Form["workspace"], out var id) ? Workspaces.FirstOrDefault(w => w.WorkspaceId == id) : null;
        if (Request.Form["decision"] != "allow")
        {
            await audit.RecordAsync((chosen ?? Workspaces[0]).WorkspaceId, AuditKinds.ConsentDenied, AuditActorKinds.Person, $"user:{_userId}",
                $"client:{ClientId}", AuditOutcomes.Refused, $"Declined {ClientName}.", ct);
            return Refuse(Errors.AccessDenied, "The person declined to authorize the client.");
        }

        if (chosen is null)
        {
            ModelState.AddModelError("workspace", "Choose one of your workspaces.");
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        return await IssueAsync(request, chosen, authorizationId: null, ct);
    }

    /// <summary>
    /// With error pass-through, OpenIddict hands over the errors it must not redirect (the redirect URI is not
    /// trusted): they are shown here, to the person, and never sent anywhere.
    /// </summary>
    private PageResult? ErrorPage()
    {
        if (HttpContext.GetOpenIddictServerResponse() is not { Error: not null } response)
        {
            return null;
        }

        Error = response;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    /// <summary>Resolves the person's workspaces, the client and the requested scopes; a result means stop.</summary>
    private async Task<IActionResult?> LoadAsync(OpenIddictRequest request, ClaimsPrincipal person, CancellationToken ct)
    {
        var userId = Guid.Parse(person.FindFirstValue(SessionClaimTypes.Subject)!);
        var memberships = await accounts.MembershipsAsync(userId, ct);
        if (memberships.Count == 0)
        {
            return Refuse(Errors.AccessDenied, "The person belongs to no workspace.");
        }

        // An unverified e-mail may belong to someone else: no consent for agents until its owner proved it.
        if (!await accounts.IsEmailVerifiedAsync(userId, ct))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Refuse(Errors.AccessDenied, "The person's e-mail address is not verified.");
            }

            MustVerifyEmail = true;
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        var application = await applications.FindByClientIdAsync(request.ClientId!, ct)
            ?? throw new InvalidOperationException("OpenIddict validated a client that does not exist.");
        _applicationId = (await applications.GetIdAsync(application, ct))!;
        ClientName = await applications.GetDisplayNameAsync(application, ct) ?? request.ClientId!;
        ClientId = request.ClientId!;
        RedirectHosts = (await applications.GetRedirectUrisAsync(application, ct))
            .Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri.Authority : u)
            .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        Registration = await applications.GetRegistrationAsync(application, ct);
        Workspaces = memberships.Select(m => new ConsentWorkspace(m.WorkspaceId, m.WorkspaceName, m.Role)).ToList();
        Requested = request.GetScopes().Select(ScopeCatalogue.Find).OfType<ScopeDefinition>().ToList();
        var source = Request.HasFormContentType ? Request.Form.Select(p => KeyValuePair.Create(p.Key, p.Value.ToString()))
            : Request.Query.Select(p => KeyValuePair.Create(p.Key, p.Value.ToString()));
        RequestParameters = source.Where(p => !ConsentFields.Contains(p.Key, StringComparer.Ordinal)).ToList();
        _userId = userId.ToString();
        _email = person.FindFirstValue(SessionClaimTypes.Email);
        return null;
    }

    private async Task<(ConsentWorkspace Workspace, string AuthorizationId)?> FindRememberedAsync(OpenIddictRequest request, CancellationToken ct)
    {
        await foreach (var authorization in authorizations.FindAsync(_userId, _applicationId, Statuses.Valid, AuthorizationTypes.Permanent, request.GetScopes(), ct))
        {
            var workspaceId = await authorizations.GetWorkspaceIdAsync(authorization, ct);
            if (Workspaces.FirstOrDefault(w => w.WorkspaceId == workspaceId) is { } workspace)
            {
                return (workspace, (await authorizations.GetIdAsync(authorization, ct))!);
            }
        }

        return null;
    }

    private async Task<IActionResult> IssueAsync(OpenIddictRequest request, ConsentWorkspace workspace, string? authorizationId, CancellationToken ct)
    {
        var granted = request.GetScopes().Intersect(workspace.Scopes, StringComparer.Ordinal).ToImmutableArray();
        var resources = request.GetResources() is { Length: > 0 } named ? named : [oauth.Value.RestApiResource];

        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, _userId)
            .SetClaim(Claims.Name, _email)
            .SetClaim(AgentClaimTypes.WorkspaceId, workspace.WorkspaceId.ToString());
        identity.SetScopes(granted);
        identity.SetResources(resources);

        if (authorizationId is null)
        {
            var descriptor = new OpenIddictAuthorizationDescriptor
            {
                ApplicationId = _applicationId,
                CreationDate = time.GetUtcNow(),
                Principal = new ClaimsPrincipal(identity),
                Status = Statuses.Valid,
                Subject = _userId,
                Type = AuthorizationTypes.Permanent,
            };
            // Remember what was asked for, so the same request later skips consent; what is granted stays limited by the role.
            descriptor.Scopes.UnionWith(request.GetScopes());
            descriptor.SetWorkspace(workspace.WorkspaceId);
            descriptor.SetGrantedScopes(granted);
            // Written by the same SaveChanges as the authorization (OpenIddict's store shares this DbContext).
            audit.Add(workspace.WorkspaceId, AuditKinds.ConsentGranted, AuditActorKinds.Person, $"user:{_userId}", $"client:{ClientId}",
                AuditOutcomes.Succeeded, $"{ClientName} granted {string.Join(' ', granted)}");
            var authorization = await authorizations.CreateAsync(descriptor, ct);
            authorizationId = await authorizations.GetIdAsync(authorization, ct);
        }

        identity.SetAuthorizationId(authorizationId);
        identity.SetDestinations(claim => claim.Type switch
        {
            Claims.Subject or AgentClaimTypes.WorkspaceId => [Destinations.AccessToken],
            _ => [],
        });

        return SignIn(new ClaimsPrincipal(identity), OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private ForbidResult Refuse(string error, string description) => Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);

    private string QueryWithout(string prompt)
    {
        // After signing in, come back without prompt=login, or the sign-in page would loop.
        var query = Request.Query.ToDictionary(p => p.Key, p => p.Value);
        if (query.TryGetValue(Parameters.Prompt, out var value))
        {
            var remaining = value.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(v => v != prompt).ToArray();
            if (remaining.Length == 0)
            {
                query.Remove(Parameters.Prompt);
            }
            else
            {
                query[Parameters.Prompt] = string.Join(' ', remaining);
            }
        }

        return Microsoft.AspNetCore.Http.QueryString.Create(query).ToString();
    }
}
