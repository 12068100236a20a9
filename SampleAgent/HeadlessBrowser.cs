using System.Diagnostics;
using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace AlyAspire.SampleAgent;

/// <summary>
/// For scripts and tests (<c>--headless</c>): does what a person does in the browser — signs in on the
/// AuthServer's sign-in page with the development user and allows access on the consent page — by reading
/// and posting the real forms (antiforgery tokens included). The final redirect reaches the loopback listener.
/// </summary>
internal sealed class HeadlessBrowser(AgentSettings settings, StepReport report)
{
    public async Task SignInAndConsentAsync(Uri authorizeUrl, CancellationToken ct)
    {
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true };
        using var browser = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        var stopwatch = Stopwatch.StartNew();
        var page = await GetPageAsync(browser, authorizeUrl, ct);
        for (var hops = 0; hops < 5; hops++)
        {
            if (page.Document is null)
            {
                // Not HTML: the redirect reached the loopback listener.
                report.Pass("Headless browser finished at the redirect URI", $"{(int)page.Status}", stopwatch.Elapsed);
                return;
            }

            var signIn = page.Document.Forms.FirstOrDefault(f => f.Elements.OfType<IHtmlInputElement>().Any(i => i.Name == "Password"));
            var consent = page.Document.Forms.FirstOrDefault(f => f.Elements.OfType<IHtmlButtonElement>().Any(b => b.Name == "decision" && b.Value == "allow"));
            if (signIn is not null)
            {
                var fields = FormFields(signIn);
                Set(fields, "Email", settings.Email);
                Set(fields, "Password", settings.Password);
                page = await PostAsync(browser, page.Url, signIn, fields, ct);
                report.Pass($"Sign in as {settings.Email}", $"{(int)page.Status}", stopwatch.Elapsed);
            }
            else if (consent is not null)
            {
                var fields = FormFields(consent);
                Set(fields, "decision", "allow");
                page = await PostAsync(browser, page.Url, consent, fields, ct);
                report.Pass("Allow access on the consent page", $"{(int)page.Status}", stopwatch.Elapsed);
            }
            else
            {
                var message = page.Document.QuerySelector("main, body")?.TextContent.Trim() ?? string.Empty;
                throw new AgentStepFailedException($"unexpected page at {page.Url} ({(int)page.Status}): {message[..Math.Min(300, message.Length)]}");
            }

            stopwatch.Restart();
        }

        throw new AgentStepFailedException("sign-in and consent did not finish within five pages");
    }

    /// <summary>What a browser would submit: hidden and filled inputs, checked boxes, selected options (repeated names kept).</summary>
    private static List<KeyValuePair<string, string>> FormFields(IHtmlFormElement form)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var input in form.Elements.OfType<IHtmlInputElement>())
        {
            if (!string.IsNullOrEmpty(input.Name) && input.Type is not ("submit" or "button") &&
                (input.Type is not ("checkbox" or "radio") || input.IsChecked))
            {
                fields.Add(new(input.Name, input.Value));
            }
        }

        foreach (var select in form.Elements.OfType<IHtmlSelectElement>())
        {
            var option = select.Options.FirstOrDefault(o => o.IsSelected) ?? select.Options.FirstOrDefault();
            if (!string.IsNullOrEmpty(select.Name) && option is not null)
            {
                fields.Add(new(select.Name, option.Value));
            }
        }

        return fields;
    }

    private static void Set(List<KeyValuePair<string, string>> fields, string name, string value)
    {
        fields.RemoveAll(f => f.Key == name);
        fields.Add(new(name, value));
    }

    private static async Task<Page> PostAsync(HttpClient browser, Uri pageUrl, IHtmlFormElement form, List<KeyValuePair<string, string>> fields, CancellationToken ct)
    {
        var action = string.IsNullOrEmpty(form.GetAttribute("action")) ? pageUrl : new Uri(pageUrl, form.GetAttribute("action"));
        using var response = await browser.PostAsync(action, new FormUrlEncodedContent(fields), ct);
        return await Page.ReadAsync(response, ct);
    }

    private static async Task<Page> GetPageAsync(HttpClient browser, Uri url, CancellationToken ct)
    {
        using var response = await browser.GetAsync(url, ct);
        return await Page.ReadAsync(response, ct);
    }

    private sealed record Page(Uri Url, HttpStatusCode Status, IHtmlDocument? Document)
    {
        public static async Task<Page> ReadAsync(HttpResponseMessage response, CancellationToken ct)
        {
            var url = response.RequestMessage?.RequestUri ?? throw new AgentStepFailedException("no request URI");
            var isAuthServerPage = response.Content.Headers.ContentType?.MediaType == "text/html" && !IsLoopbackCallback(url);
            if (!isAuthServerPage)
            {
                return new Page(url, response.StatusCode, null);
            }

            var html = await response.Content.ReadAsStringAsync(ct);
            return new Page(url, response.StatusCode, new HtmlParser().ParseDocument(html));
        }

        private static bool IsLoopbackCallback(Uri url) => url.IsLoopback && url.AbsolutePath.StartsWith("/callback", StringComparison.Ordinal);
    }
}
