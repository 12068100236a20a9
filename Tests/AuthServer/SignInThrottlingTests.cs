using System.Net;
using AlyAspire.Tests.Infrastructure;
using StackExchange.Redis;

namespace AlyAspire.Tests.AuthServer;

/// <summary>
/// Password guessing is throttled: sign-in posts per client address, and failed sign-ins per e-mail from any address.
/// Each test speaks from its own made-up addresses (X-Forwarded-For, believed from the test host's loopback proxy),
/// so the other tests' sign-ins from loopback are not used up.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SignInThrottlingTests(PlatformFixture platform)
{
    /// <summary>The AuthServer's default <c>Throttling:FailedSignInsPerEmail</c> (the test stack keeps it).</summary>
    private const int FailedSignInsPerEmail = 5;

    private const string Refusal = "Too many sign-in attempts.";

    [Fact]
    public async Task Sign_in_posts_past_the_per_address_limit_get_429_with_retry_after_and_a_readable_page()
    {
        using var guesser = Browser("198.18.1.1");
        var login = await guesser.GetAsync("/account/login?ReturnUrl=%2Fteam");
        var token = login.Form("Password").Elements.First(e => e.GetAttribute("name") == "__RequestVerificationToken").GetAttribute("value")!;

        // Real form posts, answered without a password check (nothing entered), so the address's budget is spent quickly.
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, TestStackSettings.SignInPostsPerMinute), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (_, ct) =>
            {
                using var response = await guesser.Http.PostAsync("/account/login?ReturnUrl=%2Fteam",
                    new FormUrlEncodedContent(new Dictionary<string, string> { ["Email"] = "", ["Password"] = "", ["__RequestVerificationToken"] = token }), ct);
                statuses.Add(response.StatusCode);
            });
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));

        var refused = await login.SubmitAsync(guesser, login.Form("Password"),
            new() { ["Email"] = AuthServerSteps.OwnerEmail, ["Password"] = AuthServerSteps.OwnerPassword });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.InRange(refused.Response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal("text/html", refused.Response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(Refusal, refused.Document!.QuerySelector("[role=alert]")!.TextContent);
        Assert.Equal("/account/login?ReturnUrl=%2Fteam", refused.Document.QuerySelector("a[href*='account/login']")!.GetAttribute("href"));
        Assert.DoesNotContain(AuthServerSteps.OwnerEmail, refused.Body, StringComparison.OrdinalIgnoreCase);
        Assert.Null(guesser.SessionJwt);

        // Sign-up posts share the budget; the pages themselves can still be read.
        var signup = await guesser.GetAsync("/account/signup");
        Assert.Equal(HttpStatusCode.OK, signup.Status);
        var refusedSignup = await signup.SubmitAsync(guesser, signup.Form("WorkspaceName"),
            new() { ["WorkspaceName"] = "Spam", ["Email"] = $"spam-{Guid.NewGuid():N}@shop.example", ["Password"] = "a-long-password-1" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedSignup.Status);

        // Another address signs in as usual.
        using var someoneElse = Browser("198.18.1.2");
        var signedIn = await someoneElse.SignInAsync(AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword, "/team");
        Assert.Equal(HttpStatusCode.OK, signedIn.Status);
        Assert.Equal("/team", signedIn.Url.AbsolutePath);
        Assert.NotNull(someoneElse.SessionJwt);
    }

    [Fact]
    public async Task Failed_sign_ins_for_one_email_lock_it_from_every_address_without_telling_whether_it_exists()
    {
        var email = $"target-{Guid.NewGuid():N}@shop.example";
        const string password = "the-right-password-1";
        using (var owner = Browser("198.18.2.100"))
        {
            var signup = await owner.GetAsync("/account/signup");
            var created = await signup.SubmitAsync(owner, signup.Form("WorkspaceName"),
                new() { ["WorkspaceName"] = "Target Shop", ["Email"] = email, ["Password"] = password });
            Assert.Equal(HttpStatusCode.OK, created.Status);
        }

        var unknown = $"nobody-{Guid.NewGuid():N}@shop.example";
        var refusals = new List<(TimeSpan? RetryAfter, string Message)>();
        foreach (var (target, network) in new[] { (email, 2), (unknown, 3) })
        {
            // Each wrong guess from another address: the per-address limit never sees more than one.
            for (var attempt = 1; attempt <= FailedSignInsPerEmail; attempt++)
            {
                using var guesser = Browser($"198.18.{network}.{attempt}");
                var wrong = await guesser.SignInAsync(target, $"wrong-guess-{attempt}");
                Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
            }

            // Now even the right password is refused, from yet another address, before it is checked.
            using var late = Browser($"198.18.{network}.{FailedSignInsPerEmail + 1}");
            var refused = await late.SignInAsync(target, target == email ? password : "any-password-at-all");
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
            Assert.Null(late.SessionJwt);
            var retryAfter = refused.Response.Headers.RetryAfter?.Delta;
            Assert.InRange(retryAfter ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15));
            // The sign-in page again, with the refusal in place of the usual error.
            var message = refused.Document!.QuerySelector("[role=alert]")!.TextContent;
            Assert.Contains(Refusal, message);
            Assert.NotNull(refused.TryForm("Password"));
            Assert.DoesNotContain("not correct", refused.Body);
            refusals.Add((retryAfter, message));
        }

        // An existing account and an unknown e-mail are refused alike.
        Assert.Equal(refusals[0], refusals[1]);

        // Another account, from an address that already failed for the locked one, signs in as usual.
        using var colleague = Browser("198.18.2.1");
        var signedIn = await colleague.SignInAsync(AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        Assert.Equal(HttpStatusCode.OK, signedIn.Status);
        Assert.NotNull(colleague.SessionJwt);
    }

    [Fact]
    public async Task Sign_in_posts_from_anywhere_in_one_ipv6_64_share_one_budget()
    {
        // The budget spent from four addresses of one /64 (2001:db8:64:1::/64), a quarter each.
        var guessers = Enumerable.Range(0, 4).Select(i => Browser($"2001:db8:64:1:{i + 1:x}::{i + 7:x}")).ToList();
        try
        {
            var forms = new List<(AuthServerBrowser Browser, string Token)>();
            foreach (var guesser in guessers)
            {
                var login = await guesser.GetAsync("/account/login");
                forms.Add((guesser, login.Form("Password").Elements.First(e => e.GetAttribute("name") == "__RequestVerificationToken").GetAttribute("value")!));
            }

            var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
            await Parallel.ForEachAsync(Enumerable.Range(0, TestStackSettings.SignInPostsPerMinute), new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (i, ct) =>
                {
                    var (guesser, token) = forms[i % forms.Count];
                    using var response = await guesser.Http.PostAsync("/account/login",
                        new FormUrlEncodedContent(new Dictionary<string, string> { ["Email"] = "", ["Password"] = "", ["__RequestVerificationToken"] = token }), ct);
                    statuses.Add(response.StatusCode);
                });
            Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        }
        finally
        {
            guessers.ForEach(g => g.Dispose());
        }

        // Yet another address of the same /64 is refused; an address of the neighbouring /64 is not.
        using var sameNetwork = Browser("2001:db8:64:1:ffff:ffff:ffff:ffff");
        var refused = await sameNetwork.SignInAsync(AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.NotNull(refused.Response.Headers.RetryAfter);

        using var neighbour = Browser("2001:db8:64:2::1");
        var signedIn = await neighbour.SignInAsync(AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        Assert.Equal(HttpStatusCode.OK, signedIn.Status);
        Assert.NotNull(neighbour.SessionJwt);
    }

    [Fact]
    public async Task Failed_sign_ins_are_counted_in_redis_and_survive_an_authserver_restart()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await platform.ConnectionStringAsync("redis"));
        await ThrottleCounts.WaitUntilCountedInRedisAsync(platform, redis.GetDatabase());
        var email = $"restart-target-{Guid.NewGuid():N}@shop.example";
        const int beforeRestart = 3;
        for (var attempt = 1; attempt <= beforeRestart; attempt++)
        {
            using var guesser = Browser($"198.18.7.{attempt}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.SignInAsync(email, $"wrong-{attempt}")).Status);
        }

        // Counted in Redis, under a hash of the normalized e-mail (the e-mail itself is not stored there).
        Assert.Equal(beforeRestart, (long)await redis.GetDatabase().StringGetAsync(ThrottleCounts.Key("sign-in-failures", email.ToUpperInvariant())));

        // A new process, no memory of its own: what it knows of these failures is in Redis.
        await platform.RestartAsync("authserver");

        for (var attempt = beforeRestart + 1; attempt <= FailedSignInsPerEmail; attempt++)
        {
            using var guesser = Browser($"198.18.7.{attempt}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.SignInAsync(email, $"wrong-{attempt}")).Status);
        }

        using var late = Browser("198.18.7.100");
        var refused = await late.SignInAsync(email, "any-password-at-all");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Contains(Refusal, refused.Document!.QuerySelector("[role=alert]")!.TextContent);
    }

    private AuthServerBrowser Browser(string clientAddress)
    {
        var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        browser.Http.DefaultRequestHeaders.Add("X-Forwarded-For", clientAddress);
        return browser;
    }
}
