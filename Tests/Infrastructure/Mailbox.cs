using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AlyAspire.Tests.Infrastructure;

/// <summary>One message smtp4dev caught: its id, recipients, subject and plain-text body.</summary>
public sealed record CaughtMail(string Id, string[] To, string Subject, DateTimeOffset ReceivedAt, string Body)
{
    /// <summary>The first link in the body whose path starts with <paramref name="path"/> (e.g. <c>/account/verify</c>).</summary>
    public Uri Link(string path)
    {
        var match = Regex.Match(Body, $@"https?://[^\s""'<>]+{Regex.Escape(path)}[^\s""'<>]*");
        Assert.True(match.Success, $"No {path} link in the mail '{Subject}': {Body}");
        return new Uri(match.Value);
    }
}

/// <summary>
/// Reads the platform's mail from the test stack's smtp4dev through its HTTP API (<c>/api/messages</c>): what a
/// person would find in their inbox.
/// </summary>
public sealed class Mailbox(PlatformFixture platform) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = platform.Endpoint("smtp4dev"), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Waits for the newest message to <paramref name="to"/> whose subject contains <paramref name="subject"/>, received after <paramref name="after"/>.</summary>
    public async Task<CaughtMail> WaitForAsync(string to, string subject, DateTimeOffset? after = null, TimeSpan? timeout = null)
    {
        CaughtMail? found = null;
        await Eventually.SucceedsAsync(async () =>
        {
            found = (await ListAsync(to)).Where(m => m.Subject.Contains(subject, StringComparison.OrdinalIgnoreCase) && (after is null || m.ReceivedAt >= after))
                .OrderByDescending(m => m.ReceivedAt).FirstOrDefault();
            Assert.True(found is not null, $"No mail '{subject}' to {to} yet.");
        }, timeout ?? TimeSpan.FromSeconds(120));
        return found!;
    }

    /// <summary>Every message to <paramref name="to"/>, with bodies.</summary>
    public async Task<IReadOnlyList<CaughtMail>> ListAsync(string to)
    {
        // Newest first; the recipients are matched here (each test's addresses are its own).
        var page = await _http.GetFromJsonAsync<JsonElement>("/api/messages?pageSize=1000&sortColumn=receivedDate&sortIsDescending=true");
        var mails = new List<CaughtMail>();
        foreach (var summary in page.GetProperty("results").EnumerateArray())
        {
            var recipients = summary.GetProperty("to").EnumerateArray().Select(t => t.GetString()!).ToArray();
            if (!recipients.Any(r => r.Contains(to, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var id = summary.GetProperty("id").GetString()!;
            var body = await _http.GetStringAsync($"/api/messages/{id}/plaintext");
            mails.Add(new CaughtMail(id, recipients, summary.GetProperty("subject").GetString() ?? string.Empty,
                summary.GetProperty("receivedDate").GetDateTimeOffset(), body));
        }

        return mails;
    }

    public void Dispose() => _http.Dispose();
}
