using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using AlyAspire.Shared.Credentials;

namespace AlyAspire.Tests.Infrastructure;

/// <summary>
/// A person's browser against the AuthServer without JavaScript: keeps cookies, reads the real forms (with
/// their antiforgery tokens) and posts them. Redirects are followed by hand so the one leaving for a client's
/// redirect URI is captured instead of followed.
/// </summary>
public sealed class AuthServerBrowser : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="authServer">Where the AuthServer is reached.</param>
    /// <param name="handler">How (e.g. through a TLS ingress); it gets this browser's cookies.</param>
    public AuthServerBrowser(Uri authServer, SocketsHttpHandler? handler = null)
    {
        Cookies = new CookieContainer();
        HttpMessageHandler transport = handler is null
            ? new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }
            : Configure(handler, Cookies);
        _http = new HttpClient(transport)
        {
            BaseAddress = authServer,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public CookieContainer Cookies { get; }

    private static SocketsHttpHandler Configure(SocketsHttpHandler handler, CookieContainer cookies)
    {
        handler.CookieContainer = cookies;
        handler.UseCookies = true;
        handler.AllowAutoRedirect = false;
        return handler;
    }

    public HttpClient Http => _http;

    public string? SessionJwt => Cookies.GetCookies(_http.BaseAddress!)[CredentialFormats.DevelopmentSessionCookieName]?.Value;

    /// <summary>GETs a page, following redirects within the AuthServer.</summary>
    public async Task<Page> GetAsync(string url) => await FollowAsync(await _http.GetAsync(url));

    public async Task<Page> SignInAsync(string email, string password, string returnUrl = "/")
    {
        var page = await GetAsync($"/account/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        return await page.SubmitAsync(this, page.Form("Password"), new() { ["Email"] = email, ["Password"] = password });
    }

    /// <summary>Runs an authorization request to its end: sign-in if asked, consent with <paramref name="decision"/>; returns the final page (or the redirect out).</summary>
    public async Task<Page> AuthorizeAsync(Uri authorizeUrl, string email, string password, string decision = "allow", string? workspace = null)
    {
        var page = await GetAsync(authorizeUrl.PathAndQuery);
        for (var hops = 0; hops < 4 && page.Document is not null; hops++)
        {
            if (page.TryForm("Password") is { } signIn)
            {
                page = await page.SubmitAsync(this, signIn, new() { ["Email"] = email, ["Password"] = password });
            }
            else if (page.TryForm("decision") is { } consent)
            {
                var fields = new Dictionary<string, string> { ["decision"] = decision };
                if (workspace is not null)
                {
                    fields["workspace"] = workspace;
                }

                page = await page.SubmitAsync(this, consent, fields);
            }
            else
            {
                break;
            }
        }

        return page;
    }

    internal async Task<Page> FollowAsync(HttpResponseMessage response)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                var target = location.IsAbsoluteUri ? location : new Uri(_http.BaseAddress!, location);
                if (target.Authority != _http.BaseAddress!.Authority)
                {
                    return new Page(response.StatusCode, target, null, response);
                }

                response = await _http.GetAsync(target);
                continue;
            }

            var html = await response.Content.ReadAsStringAsync();
            var document = response.Content.Headers.ContentType?.MediaType == "text/html" ? new HtmlParser().ParseDocument(html) : null;
            return new Page(response.StatusCode, response.RequestMessage!.RequestUri!, document, response) { Body = html };
        }

        throw new InvalidOperationException("Too many redirects.");
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A page (or, with <see cref="Document"/> null and a 3xx status, the redirect that left the AuthServer).</summary>
    public sealed record Page(HttpStatusCode Status, Uri Url, IHtmlDocument? Document, HttpResponseMessage Response)
    {
        public string Body { get; init; } = string.Empty;

        public IHtmlFormElement? TryForm(string fieldName) => Document?.Forms.FirstOrDefault(f =>
            f.Elements.Any(e => e.GetAttribute("name") == fieldName));

        public IHtmlFormElement Form(string fieldName) => TryForm(fieldName)
            ?? throw new InvalidOperationException($"No form with a field '{fieldName}' at {Url} ({(int)Status}): {Body[..Math.Min(400, Body.Length)]}");

        public IHtmlFormElement FormFor(string handler) => Document?.Forms.FirstOrDefault(f =>
                (f.GetAttribute("action") ?? string.Empty).Contains($"handler={handler}", StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"No form for handler '{handler}' at {Url}.");

        /// <summary>Posts a form as a browser would: its fields (hidden ones included), overridden by <paramref name="values"/>.</summary>
        public async Task<Page> SubmitAsync(AuthServerBrowser browser, IHtmlFormElement form, Dictionary<string, string> values, bool withAntiforgery = true,
            IEnumerable<KeyValuePair<string, string>>? repeated = null)
        {
            var fields = new List<KeyValuePair<string, string>>();
            foreach (var input in form.Elements.OfType<IHtmlInputElement>())
            {
                if (!string.IsNullOrEmpty(input.Name) && input.Type is not ("submit" or "button" or "checkbox" or "radio") && !values.ContainsKey(input.Name))
                {
                    fields.Add(new(input.Name, input.Value));
                }
            }

            foreach (var select in form.Elements.OfType<IHtmlSelectElement>())
            {
                if (!string.IsNullOrEmpty(select.Name) && !values.ContainsKey(select.Name) && (select.Options.FirstOrDefault(o => o.IsSelected) ?? select.Options.FirstOrDefault()) is { } option)
                {
                    fields.Add(new(select.Name, option.Value));
                }
            }

            fields.AddRange(values);
            fields.AddRange(repeated ?? []);
            if (!withAntiforgery)
            {
                fields.RemoveAll(f => f.Key == "__RequestVerificationToken");
            }

            var action = form.GetAttribute("action") is { Length: > 0 } a ? new Uri(Url, a) : Url;
            return await browser.FollowAsync(await browser._http.PostAsync(action, new FormUrlEncodedContent(fields)));
        }
    }
}
