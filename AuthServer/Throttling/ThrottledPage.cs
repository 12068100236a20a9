using System.Text.Encodings.Web;

namespace AlyAspire.AuthServer.Throttling;

/// <summary>The small page, in the dashboard's style, that a person's browser gets when a limit refuses it.</summary>
internal static class ThrottledPage
{
    /// <summary>Writes the page; "Try again" goes back to the refused URL (which keeps e.g. a ReturnUrl).</summary>
    public static Task WriteAsync(HttpContext context, string message, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.ContentType = "text/html; charset=utf-8";
        var request = context.Request;
        var back = HtmlEncoder.Default.Encode((request.PathBase + request.Path + request.QueryString).ToString());
        var text = HtmlEncoder.Default.Encode(message);
        return response.WriteAsync($"""
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
                        <p class="error" role="alert">{text}</p>
                        <p><a href="{back}">Try again</a></p>
                    </div>
                </main>
            </body>
            </html>
            """, cancellationToken);
    }
}
