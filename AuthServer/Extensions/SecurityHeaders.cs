namespace AlyAspire.AuthServer.Extensions;

/// <summary>
/// Strict headers on every response: no framing (clickjacking on the sign-in and consent pages), no inline
/// script or style, no referrer (authorization codes travel in URLs).
/// </summary>
internal static class SecurityHeaders
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; frame-ancestors 'none'";

    // Forms other than consent post to the dashboard itself. Consent's answer is a redirect to the client's
    // redirect URI, which form-action would block, so that page leaves form-action out.
    private const string FormActionSelf = "; form-action 'self'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            var isAuthorize = context.Request.Path.StartsWithSegments("/oauth/authorize", StringComparison.OrdinalIgnoreCase);
            headers.ContentSecurityPolicy = isAuthorize ? ContentSecurityPolicy : ContentSecurityPolicy + FormActionSelf;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        });
        await next();
    });
}
