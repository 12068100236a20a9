using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Scopes;
using AlyAspire.Shared.Usage;
using AlyAspire.Tests.Infrastructure;
using Npgsql;

namespace AlyAspire.Tests.KeyService;

[Collection(PlatformCollection.Name)]
public sealed class KeyServiceApiTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_created_key_verifies_with_its_workspace_and_scopes()
    {
        var keys = await platform.ApiKeyClientAsync();
        var workspace = Guid.NewGuid();
        var actor = KeyServiceClients.Owner(workspace);

        var created = await keys.CreateAsync(workspace, KeyServiceClients.Request(ScopeCatalogue.ReadOrders, ScopeCatalogue.WriteContent), actor);
        var verified = await keys.VerifyAsync(created.Secret);

        Assert.Equal(ApiKeyFormatError.None, ApiKeyFormat.Check(created.Secret));
        Assert.Equal(ApiKeyFormat.DisplayForm(created.Secret), created.Key.DisplayForm);
        Assert.True(verified.Valid);
        Assert.Equal(created.Key.Id, verified.KeyId);
        Assert.Equal(workspace, verified.WorkspaceId);
        Assert.Equal(TestActors.IdOf(actor), verified.CreatedBy);
        Assert.Equal([ScopeCatalogue.ReadOrders, ScopeCatalogue.WriteContent], verified.Scopes);
        Assert.Null(verified.ExpiresAt);
    }

    [Fact]
    public async Task Verification_names_why_a_secret_is_not_valid()
    {
        var keys = await platform.ApiKeyClientAsync();

        Assert.Equal(ApiKeyInvalidReasons.Malformed, (await keys.VerifyAsync("aly_short")).Reason);
        Assert.Equal(ApiKeyInvalidReasons.BadChecksum, (await keys.VerifyAsync("aly_0123456789ABCDEFGHIJKLMNOPQRSTUV000000")).Reason);
        var unknown = await keys.VerifyAsync(ApiKeyFormat.Generate());
        Assert.False(unknown.Valid);
        Assert.Equal(ApiKeyInvalidReasons.Unknown, unknown.Reason);
    }

    [Fact]
    public async Task The_secret_is_in_no_table_of_the_database()
    {
        var keys = await platform.ApiKeyClientAsync();
        var workspace = Guid.NewGuid();
        var created = await keys.CreateAsync(workspace, KeyServiceClients.Request(), KeyServiceClients.Owner(workspace));
        var rolled = await keys.RollAsync(workspace, created.Key.Id, new RollApiKeyRequest(1), KeyServiceClients.Owner(workspace));
        await keys.VerifyAsync(created.Secret);

        var dump = await DumpDatabaseAsync();

        // The key is there (so the dump is real), but neither secret in any form: text, hex bytes, or an unkeyed SHA-256.
        Assert.Contains(created.Key.Id.ToString(), dump, StringComparison.OrdinalIgnoreCase);
        foreach (var secret in new[] { created.Secret, rolled.Secret })
        {
            var random = secret[4..^ApiKeyFormat.ChecksumLength];
            Assert.DoesNotContain(random, dump, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexString(Encoding.UTF8.GetBytes(secret)), dump, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), dump, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task List_and_get_never_return_a_secret()
    {
        using var http = await platform.CreateServiceClientAsync("keyservice");
        var keys = new ApiKeyClient(http);
        var workspace = Guid.NewGuid();
        var actor = KeyServiceClients.Owner(workspace);
        var created = await keys.CreateAsync(workspace, KeyServiceClients.Request(), actor);

        foreach (var path in new[] { ApiKeyRoutes.Keys(workspace), ApiKeyRoutes.Key(workspace, created.Key.Id) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add(ApiKeyHeaders.ActorAssertion, actor.Assertion);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(created.Key.Id.ToString(), body, StringComparison.Ordinal);
            Assert.Contains(created.Key.DisplayForm, body, StringComparison.Ordinal);
            Assert.DoesNotContain(created.Secret[8..^4], body, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", body, StringComparison.OrdinalIgnoreCase);
        }

        var listed = Assert.Single(await keys.ListAsync(workspace, actor));
        Assert.Equal(created.Key.Id, listed.Id);
    }

    [Fact]
    public async Task Unknown_scopes_are_refused_by_name()
    {
        var keys = await platform.ApiKeyClientAsync();

        var fresh = Guid.NewGuid();
        var refusal = await Assert.ThrowsAsync<ApiKeyServiceException>(() => keys.CreateAsync(
            fresh, KeyServiceClients.Request(ScopeCatalogue.ReadOrders, "read:everything", "root"), KeyServiceClients.Owner(fresh)));

        Assert.Equal(HttpStatusCode.BadRequest, refusal.Status);
        Assert.Equal(ProblemTypes.UnknownScope, refusal.Problem.Type);
        Assert.Contains("read:everything", refusal.Problem.Detail);
        Assert.Contains("root", refusal.Problem.Detail);
        Assert.DoesNotContain(ScopeCatalogue.ReadOrders, refusal.Problem.Detail);
    }

    [Fact]
    public async Task Scopes_beyond_what_the_actor_may_grant_are_refused()
    {
        var keys = await platform.ApiKeyClientAsync();

        var fresh = Guid.NewGuid();
        var refusal = await Assert.ThrowsAsync<ApiKeyServiceException>(() => keys.CreateAsync(
            fresh, KeyServiceClients.Request(ScopeCatalogue.ReadOrders, ScopeCatalogue.ManageTeam), KeyServiceClients.Admin(fresh)));

        Assert.Equal(HttpStatusCode.Forbidden, refusal.Status);
        Assert.Equal(ProblemTypes.ScopeNotGrantable, refusal.Problem.Type);
        Assert.Contains(ScopeCatalogue.ManageTeam, refusal.Problem.Detail);
        Assert.DoesNotContain(ScopeCatalogue.ReadOrders, refusal.Problem.Detail);
    }

    [Fact]
    public async Task Invalid_requests_get_validation_problems_and_change_nothing()
    {
        var keys = await platform.ApiKeyClientAsync();
        var workspace = Guid.NewGuid();
        var actor = KeyServiceClients.Owner(workspace);

        var noName = await Assert.ThrowsAsync<ApiKeyServiceException>(() =>
            keys.CreateAsync(workspace, new CreateApiKeyRequest("  ", [ScopeCatalogue.ReadOrders], null), actor));
        var longName = await Assert.ThrowsAsync<ApiKeyServiceException>(() =>
            keys.CreateAsync(workspace, new CreateApiKeyRequest(new string('n', 101), [ScopeCatalogue.ReadOrders], null), actor));
        var pastExpiry = await Assert.ThrowsAsync<ApiKeyServiceException>(() =>
            keys.CreateAsync(workspace, new CreateApiKeyRequest("old", [ScopeCatalogue.ReadOrders], DateTimeOffset.UtcNow.AddMinutes(-1)), actor));
        var created = await keys.CreateAsync(workspace, KeyServiceClients.Request(), actor);
        var longGrace = await Assert.ThrowsAsync<ApiKeyServiceException>(() =>
            keys.RollAsync(workspace, created.Key.Id, new RollApiKeyRequest(169), actor));
        var negativeGrace = await Assert.ThrowsAsync<ApiKeyServiceException>(() =>
            keys.RollAsync(workspace, created.Key.Id, new RollApiKeyRequest(-1), actor));

        Assert.All([noName, longName, pastExpiry, longGrace, negativeGrace], refusal =>
        {
            Assert.Equal(HttpStatusCode.BadRequest, refusal.Status);
            Assert.Equal(ProblemTypes.Validation, refusal.Problem.Type);
        });
        Assert.Single(await keys.ListAsync(workspace, actor));
        Assert.True((await keys.VerifyAsync(created.Secret)).Valid);
    }

    [Fact]
    public async Task An_unreadable_body_gets_a_problem_not_a_server_error()
    {
        using var http = await platform.CreateServiceClientAsync("keyservice");
        var workspace = Guid.NewGuid();
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiKeyRoutes.Keys(workspace))
        {
            Content = new StringContent("{ \"name\": ", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(ApiKeyHeaders.ActorAssertion, KeyServiceClients.Owner(workspace).Assertion);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_verify_endpoint_refuses_callers_without_the_service_credential()
    {
        using var anonymous = platform.CreateClient("keyservice");
        using var wrongKey = platform.CreateClient("keyservice");
        wrongKey.DefaultRequestHeaders.Add(InternalServiceAuthentication.HeaderName, "not-the-service-key-0123456789");
        var fresh = Guid.NewGuid();
        var secret = (await (await platform.ApiKeyClientAsync()).CreateAsync(
            fresh, KeyServiceClients.Request(), KeyServiceClients.Owner(fresh))).Secret;

        foreach (var client in new[] { anonymous, wrongKey })
        {
            using var verify = await client.PostAsJsonAsync(ApiKeyRoutes.Verify, new VerifyApiKeyRequest(secret));
            using var list = await client.GetAsync(ApiKeyRoutes.Keys(Guid.NewGuid()));

            Assert.Equal(HttpStatusCode.Unauthorized, verify.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
            Assert.DoesNotContain(secret, await verify.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_revoked_key_fails_verification_and_the_revocation_is_audited()
    {
        var keys = await platform.ApiKeyClientAsync();
        var workspace = Guid.NewGuid();
        var actor = KeyServiceClients.Owner(workspace);
        var created = await keys.CreateAsync(workspace, KeyServiceClients.Request(), actor);
        Assert.True((await keys.VerifyAsync(created.Secret)).Valid);

        var revoked = await keys.RevokeAsync(workspace, created.Key.Id, actor);
        var again = await keys.RevokeAsync(workspace, created.Key.Id, actor);

        Assert.NotNull(revoked.RevokedAt);
        Assert.Equal(TestActors.IdOf(actor), revoked.RevokedBy);
        Assert.Equal(revoked.RevokedAt, again.RevokedAt);
        var verified = await keys.VerifyAsync(created.Secret);
        Assert.False(verified.Valid);
        Assert.Equal(ApiKeyInvalidReasons.Revoked, verified.Reason);
        var rollRevoked = await Assert.ThrowsAsync<ApiKeyServiceException>(() =>
            keys.RollAsync(workspace, created.Key.Id, new RollApiKeyRequest(null), actor));
        Assert.Equal(HttpStatusCode.Conflict, rollRevoked.Status);

        var audit = await QueryAsync(
            """SELECT "Action", "Actor", "SourceIp" FROM "ApiKeyAuditRecords" WHERE "ApiKeyId" = @id ORDER BY "Id" """,
            created.Key.Id);
        Assert.Equal(
            [
                (ApiKeyAuditActions.Created, TestActors.IdOf(actor), KeyServiceClients.OwnerIp),
                (ApiKeyAuditActions.Revoked, TestActors.IdOf(actor), KeyServiceClients.OwnerIp),
            ],
            audit);
    }

    [Fact]
    public async Task A_key_past_its_expiry_fails_verification()
    {
        var keys = await platform.ApiKeyClientAsync();
        var fresh = Guid.NewGuid();
        var created = await keys.CreateAsync(
            fresh,
            new CreateApiKeyRequest("short-lived", [ScopeCatalogue.ReadOrders], DateTimeOffset.UtcNow.AddSeconds(2)), KeyServiceClients.Owner(fresh));
        Assert.Equal(created.Key.ExpiresAt, (await keys.VerifyAsync(created.Secret)).ExpiresAt);

        // KeyService runs on the system clock in its own process; this one waits for real time to pass the expiry.
        await Eventually.SucceedsAsync(async () =>
            Assert.Equal(ApiKeyInvalidReasons.Expired, (await keys.VerifyAsync(created.Secret)).Reason), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Rolling_gives_a_new_secret_and_ends_the_old_one_at_the_chosen_grace_expiry()
    {
        var keys = await platform.ApiKeyClientAsync();
        var workspace = Guid.NewGuid();
        var actor = KeyServiceClients.Owner(workspace);
        var created = await keys.CreateAsync(workspace, KeyServiceClients.Request(ScopeCatalogue.ReadMedia), actor);

        var before = DateTimeOffset.UtcNow;
        var withGrace = await keys.RollAsync(workspace, created.Key.Id, new RollApiKeyRequest(null), actor);
        var oldSecret = await keys.VerifyAsync(created.Secret);
        var newSecret = await keys.VerifyAsync(withGrace.Secret);

        Assert.NotEqual(created.Secret, withGrace.Secret);
        Assert.Equal(created.Key.Id, withGrace.Key.Id);
        Assert.Equal(created.Key.Name, withGrace.Key.Name);
        Assert.Equal(ApiKeyFormat.DisplayForm(withGrace.Secret), withGrace.Key.DisplayForm);
        Assert.True(oldSecret.Valid);
        Assert.InRange(oldSecret.ExpiresAt!.Value, before.AddHours(ApiKeyRollGrace.DefaultHours), DateTimeOffset.UtcNow.AddHours(ApiKeyRollGrace.DefaultHours));
        Assert.True(newSecret.Valid);
        Assert.Equal([ScopeCatalogue.ReadMedia], newSecret.Scopes);
        Assert.Null(newSecret.ExpiresAt);

        // A grace period of zero ends the earlier secrets at once; the newest stays.
        var immediate = await keys.RollAsync(workspace, created.Key.Id, new RollApiKeyRequest(0), actor);
        Assert.Equal(ApiKeyInvalidReasons.Expired, (await keys.VerifyAsync(created.Secret)).Reason);
        Assert.Equal(ApiKeyInvalidReasons.Expired, (await keys.VerifyAsync(withGrace.Secret)).Reason);
        Assert.True((await keys.VerifyAsync(immediate.Secret)).Valid);

        var audit = await QueryAsync(
            """SELECT "Action", "Actor", "SourceIp" FROM "ApiKeyAuditRecords" WHERE "ApiKeyId" = @id ORDER BY "Id" """,
            created.Key.Id);
        Assert.Equal([ApiKeyAuditActions.Created, ApiKeyAuditActions.Rolled, ApiKeyAuditActions.Rolled], audit.Select(a => a.Item1));
    }

    [Fact]
    public async Task Concurrent_rolls_leave_exactly_one_current_secret()
    {
        var keys = await platform.ApiKeyClientAsync();
        var workspace = Guid.NewGuid();
        var actor = KeyServiceClients.Owner(workspace);
        var created = await keys.CreateAsync(workspace, KeyServiceClients.Request(), actor);

        var rolls = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            keys.RollAsync(workspace, created.Key.Id, new RollApiKeyRequest(0), actor)));
        var verified = await Task.WhenAll(rolls.Select(r => keys.VerifyAsync(r.Secret)));

        // Rolls serialise on the key's row: each one ends every secret before it, so only the last stays valid.
        Assert.Single(verified, v => v.Valid);
        Assert.All(verified.Where(v => !v.Valid), v => Assert.Equal(ApiKeyInvalidReasons.Expired, v.Reason));
        Assert.Equal(ApiKeyInvalidReasons.Expired, (await keys.VerifyAsync(created.Secret)).Reason);
    }

    [Fact]
    public async Task A_key_of_one_workspace_is_not_found_from_another()
    {
        var keys = await platform.ApiKeyClientAsync();
        var (workspaceA, workspaceB) = (Guid.NewGuid(), Guid.NewGuid());
        // One person who owns both workspaces: an assertion is for one workspace only.
        var person = Guid.NewGuid();
        var (actorA, actorB) = (TestActors.Person(workspaceA, WorkspaceRoles.Owner, person), TestActors.Person(workspaceB, WorkspaceRoles.Owner, person));
        var keyOfA = await keys.CreateAsync(workspaceA, KeyServiceClients.Request(), actorA);
        await keys.CreateAsync(workspaceB, KeyServiceClients.Request(), actorB);

        var attempts = new Func<Task>[]
        {
            () => keys.GetAsync(workspaceB, keyOfA.Key.Id, actorB),
            () => keys.RevokeAsync(workspaceB, keyOfA.Key.Id, actorB),
            () => keys.RollAsync(workspaceB, keyOfA.Key.Id, new RollApiKeyRequest(1), actorB),
        };
        foreach (var attempt in attempts)
        {
            var refusal = await Assert.ThrowsAsync<ApiKeyServiceException>(attempt);
            Assert.Equal(HttpStatusCode.NotFound, refusal.Status);
            Assert.Equal(ProblemTypes.NotFound, refusal.Problem.Type);
        }

        // An assertion for workspace A does not act in workspace B.
        var elsewhere = await Assert.ThrowsAsync<ApiKeyServiceException>(() => keys.ListAsync(workspaceB, actorA));
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.Status);

        Assert.DoesNotContain(await keys.ListAsync(workspaceB, actorB), k => k.Id == keyOfA.Key.Id);
        Assert.True((await keys.VerifyAsync(keyOfA.Secret)).Valid);
        Assert.Null((await keys.GetAsync(workspaceA, keyOfA.Key.Id, actorA)).RevokedAt);
    }

    [Fact]
    public async Task A_usage_batch_is_counted_once_however_often_it_is_sent_and_verification_counts_nothing()
    {
        var keys = await platform.ApiKeyClientAsync();
        var usage = new UsageClient(await platform.CreateServiceClientAsync("keyservice"));
        var workspace = Guid.NewGuid();
        var actor = KeyServiceClients.Owner(workspace);
        var first = await keys.CreateAsync(workspace, KeyServiceClients.Request(), actor);
        var second = await keys.CreateAsync(workspace, KeyServiceClients.Request(), actor);

        // The agent surfaces count; the KeyService's own verification does not (it would count cache misses only).
        Assert.True((await keys.VerifyAsync(first.Secret)).Valid);
        Assert.Empty((await keys.GetAsync(workspace, first.Key.Id, actor)).Usage);

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var usedAt = DateTimeOffset.UtcNow.AddSeconds(-5);
        var batch = new UsageBatch(Guid.CreateVersion7(),
        [
            Count(workspace, first.Key.Id, today, allowed: 7, forbidden: 2, at: usedAt),
            Count(workspace, second.Key.Id, today, allowed: 4, workspaceLimited: 1, at: usedAt),
            // The same key and day twice in one batch: added up, not refused.
            Count(workspace, first.Key.Id, today, allowed: 1, at: usedAt.AddSeconds(1)),
        ]);

        Assert.True((await usage.SendAsync(batch, default)).Applied);
        // A retry (its answer was lost, say) and a concurrent duplicate change nothing.
        var retries = await Task.WhenAll(usage.SendAsync(batch, default), usage.SendAsync(batch, default));
        Assert.All(retries, r => Assert.False(r.Applied));

        var key = await keys.GetAsync(workspace, first.Key.Id, actor);
        var day = Assert.Single(key.Usage);
        Assert.Equal((today, 8L, 2L), (day.Day, day.Requests, day.Refused));
        Assert.Equal(usedAt.AddSeconds(1).ToUnixTimeMilliseconds(), key.LastUsedAt!.Value.ToUnixTimeMilliseconds());
        Assert.Equal((4L, 1L), (Assert.Single((await keys.GetAsync(workspace, second.Key.Id, actor)).Usage).Requests,
            Assert.Single((await keys.GetAsync(workspace, second.Key.Id, actor)).Usage).Refused));

        // A later batch adds to the day and moves the last use forward (never back).
        Assert.True((await usage.SendAsync(new UsageBatch(Guid.CreateVersion7(),
            [Count(workspace, first.Key.Id, today, allowed: 2, at: usedAt.AddMinutes(1)), Count(workspace, second.Key.Id, today, allowed: 1, at: usedAt.AddMinutes(-10))]), default)).Applied);
        key = await keys.GetAsync(workspace, first.Key.Id, actor);
        Assert.Equal(10, Assert.Single(key.Usage).Requests);
        Assert.Equal(usedAt.AddMinutes(1).ToUnixTimeMilliseconds(), key.LastUsedAt!.Value.ToUnixTimeMilliseconds());
        var secondKey = await keys.GetAsync(workspace, second.Key.Id, actor);
        Assert.Equal(usedAt.ToUnixTimeMilliseconds(), secondKey.LastUsedAt!.Value.ToUnixTimeMilliseconds());

        var report = await usage.GetAsync(workspace, 30);
        Assert.Equal(2, report.Credentials.Count);
        var firstUsage = report.Credentials.Single(c => c.CredentialId == first.Key.Id.ToString());
        Assert.Equal((UsageCredentialKinds.ApiKey, 10L, 2L), (firstUsage.CredentialKind, firstUsage.Allowed, firstUsage.Refused));
        Assert.Equal(2, Assert.Single(firstUsage.Days).Forbidden);
        Assert.Empty((await usage.GetAsync(Guid.NewGuid(), 30)).Credentials);
    }

    [Fact]
    public async Task A_malformed_usage_batch_is_refused_with_a_problem_and_counts_nothing()
    {
        using var http = await platform.CreateServiceClientAsync("keyservice");
        var workspace = Guid.NewGuid();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        UsageBatch[] malformed =
        [
            new(Guid.Empty, [Count(workspace, Guid.NewGuid(), today, allowed: 1, at: DateTimeOffset.UtcNow)]),
            new(Guid.NewGuid(), []),
            new(Guid.NewGuid(), [Count(workspace, Guid.NewGuid(), today, allowed: -1, at: DateTimeOffset.UtcNow)]),
            new(Guid.NewGuid(), [Count(workspace, Guid.NewGuid(), today, allowed: 1, at: DateTimeOffset.UtcNow) with { CredentialKind = "password" }]),
            new(Guid.NewGuid(), [Count(workspace, Guid.NewGuid(), today, allowed: 1, at: DateTimeOffset.UtcNow) with { CredentialId = "not-a-key-id" }]),
        ];
        foreach (var batch in malformed)
        {
            using var response = await http.PostAsJsonAsync(UsageRoutes.Batches, batch);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using var badDays = await http.GetAsync(UsageRoutes.Workspace(workspace) + "?days=1000");
        Assert.Equal(HttpStatusCode.BadRequest, badDays.StatusCode);
        Assert.Empty((await new UsageClient(http).GetAsync(workspace, 30)).Credentials);
    }

    private static UsageCount Count(Guid workspace, Guid keyId, DateOnly day, long allowed, DateTimeOffset at, long forbidden = 0, long workspaceLimited = 0) =>
        new(workspace, UsageCredentialKinds.ApiKey, keyId.ToString(), null, day, allowed, 0, forbidden, 0, workspaceLimited, at);

    /// <summary>Every row of every table of keysdb as JSON text (bytea as hex), like a dump.</summary>
    private async Task<string> DumpDatabaseAsync()
    {
        await using var connection = new NpgsqlConnection(await platform.ConnectionStringAsync("keysdb"));
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("\"ApiKeySecrets\"", tables);
        var dump = new StringBuilder();
        foreach (var table in tables)
        {
#pragma warning disable CA2100 // Table names come from the catalogue, quoted by quote_ident.
            await using var rows = new NpgsqlCommand($"SELECT row_to_json(t)::text FROM {table} t", connection);
#pragma warning restore CA2100
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                dump.AppendLine(reader.GetString(0));
            }
        }

        return dump.ToString();
    }

    private async Task<List<(string, string, string?)>> QueryAsync(string sql, Guid keyId)
    {
        await using var connection = new NpgsqlConnection(await platform.ConnectionStringAsync("keysdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", keyId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string?)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return rows;
    }
}
