using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AlyAspire.AuthServer.Throttling;

/// <summary>
/// Sign-in and sign-up form posts: a fixed window per client address, so passwords cannot be tried at full speed
/// from one place (the per-e-mail limit, <see cref="FailedSignInLimiter"/>, covers guessing from many). Pages
/// themselves (GET) are not limited. A refusal is a small page in the dashboard's style, not an error.
/// </summary>
internal sealed class SignInRateLimitPolicy(IOptions<ThrottlingOptions> options) : IRateLimiterPolicy<string>
{
    public const string Name = "sign-in";

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (context, ct) =>
    {
        var wait = RetryAfter.Set(context);
        var response = context.HttpContext.Response;
        response.ContentType = "text/html; charset=utf-8";
        var request = context.HttpContext.Request;
        // The form posts to its own URL, so going back there keeps where the person was heading (ReturnUrl).
        var back = HtmlEncoder.Default.Encode((request.PathBase + request.Path + request.QueryString).ToString());
        var message = HtmlEncoder.Default.Encode(SignInRefusal.Message(wait));
        await response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>Too many attempts · AlyAspire</title>
                <link rel="stylesheet" href="/css/site.css" />
            </head>
            <body>
                <header><a class="brand" href="/">AlyAspire</a></header>
                <main>
                    <div class="card">
                        <h1>Too many attempts</h1>
                        <p class="error" role="alert">{message}</p>
                        <p><a href="{back}">Try again</a></p>
                    </div>
                </main>
            </body>
            </html>
            """, ct);
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) => HttpMethods.IsPost(httpContext.Request.Method)
        ? RateLimitPartition.GetFixedWindowLimiter(
            ClientAddress.Of(httpContext),
            _ => new FixedWindowRateLimiterOptions { PermitLimit = options.Value.SignInPostsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
        : RateLimitPartition.GetNoLimiter(string.Empty);
}
