using System.Net;
using System.Net.Http.Json;
using AlyAspire.RateLimiter.Protos;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Internal;
using AlyAspire.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;

namespace AlyAspire.Tests.RateLimiter;

/// <summary>The RateLimiter's own surfaces: the gRPC decision API and the internal limits/usage endpoints.</summary>
[Collection(PlatformCollection.Name)]
public sealed class RateLimiterServiceTests(PlatformFixture platform)
{
    [Fact]
    public async Task Decisions_are_served_over_h2c_grpc_to_service_callers_only()
    {
        using var channel = GrpcChannel.ForAddress(platform.App.GetEndpoint("ratelimiter", "grpc"));
        var client = new RateLimitDecisions.RateLimitDecisionsClient(channel);
        var request = new CheckRequest { WorkspaceId = "ws_" + Guid.NewGuid().ToString("N")[..12], Cost = 1 };

        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await client.CheckAsync(request));
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);

        var headers = await RateLimiterAdmin.DecisionCallerHeadersAsync(platform);
        var reply = await client.CheckAsync(request, headers);
        Assert.True(reply.Allowed);
        // No override: the default plan ("free": 600 per 60 s, burst 100) applies.
        var workspace = Assert.Single(reply.Quotas);
        Assert.Equal(("workspace", 600L, 60, 100L, 99L), (workspace.Policy, workspace.Quota, workspace.WindowSeconds, workspace.Burst, workspace.Remaining));

        var invalid = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.CheckAsync(new CheckRequest { WorkspaceId = request.WorkspaceId, Cost = 0 }, headers));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
    }

    [Fact]
    public async Task A_lease_comes_only_out_of_a_budget_far_from_exhausted_and_is_consumed_with_the_decision()
    {
        using var channel = GrpcChannel.ForAddress(platform.App.GetEndpoint("ratelimiter", "grpc"));
        var client = new RateLimitDecisions.RateLimitDecisionsClient(channel);
        var headers = await RateLimiterAdmin.DecisionCallerHeadersAsync(platform);
        var large = new LimitDto(1_000_000, 3600, 1_000_000);

        // A large budget: the 50 units are consumed together with the request's own.
        var plentiful = await RateLimiterAdmin.NewWorkspaceAsync(platform, large);
        var leased = await client.CheckAsync(new CheckRequest { WorkspaceId = plentiful, CredentialId = "key_1", Cost = 1, Lease = 50 }, headers);
        Assert.Equal((true, 50), (leased.Allowed, leased.Leased));
        Assert.All(leased.Quotas, q => Assert.Equal(1_000_000 - 51, q.Remaining));

        // At most one unit per 1,000 that every budget still holds: a small budget, or a small credential budget
        // inside a large one, is decided request by request.
        var small = await RateLimiterAdmin.NewWorkspaceAsync(platform, new LimitDto(200, 3600, 200));
        var exact = await client.CheckAsync(new CheckRequest { WorkspaceId = small, CredentialId = "key_1", Cost = 1, Lease = 50 }, headers);
        Assert.Equal((true, 0, 199L), (exact.Allowed, exact.Leased, exact.Quotas[0].Remaining));
        var tightCredential = await RateLimiterAdmin.NewWorkspaceAsync(platform, large, perCredential: new LimitDto(5_000, 3600, 5_000));
        var partial = await client.CheckAsync(new CheckRequest { WorkspaceId = tightCredential, CredentialId = "key_1", Cost = 1, Lease = 50 }, headers);
        Assert.Equal((true, 4), (partial.Allowed, partial.Leased));

        var invalid = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.CheckAsync(new CheckRequest { WorkspaceId = plentiful, Cost = 1, Lease = -1 }, headers));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
    }

    [Fact]
    public async Task Internal_endpoints_require_the_service_credential()
    {
        using var anonymous = platform.CreateClient("ratelimiter");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/internal/workspaces/ws_1/limits")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/internal/workspaces/ws_1/usage")).StatusCode);
    }

    [Fact]
    public async Task An_override_is_set_read_validated_and_removed()
    {
        using var admin = await platform.CreateServiceClientAsync("ratelimiter");
        var workspaceId = "ws_" + Guid.NewGuid().ToString("N")[..16];

        var defaults = await admin.GetFromJsonAsync<WorkspaceLimitsResponse>($"/internal/workspaces/{workspaceId}/limits");
        Assert.Equal(("free", new LimitDto(600, 60, 100), new LimitDto(300, 60, 60)), (defaults!.Plan, defaults.Workspace, defaults.PerCredential));
        Assert.Null(defaults.Override);

        var set = await admin.PutAsJsonAsync($"/internal/workspaces/{workspaceId}/limits",
            new WorkspaceLimitOverrideRequest("pro", new LimitDto(50, 10, 5), null));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var limits = await admin.GetFromJsonAsync<WorkspaceLimitsResponse>($"/internal/workspaces/{workspaceId}/limits");
        // Its own workspace budget, the pro plan's per-credential budget.
        Assert.Equal(("pro", new LimitDto(50, 10, 5), new LimitDto(3000, 60, 500)), (limits!.Plan, limits.Workspace, limits.PerCredential));

        var invalid = await admin.PutAsJsonAsync($"/internal/workspaces/{workspaceId}/limits",
            new WorkspaceLimitOverrideRequest("platinum", new LimitDto(0, 10, 5), null));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var problem = await WorkspaceLimitTests.ReadProblemAsync(invalid);
        Assert.Equal(ProblemTypes.Validation, problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("plan", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("workspace", out _));
        var malformed = await admin.PutAsync($"/internal/workspaces/{workspaceId}/limits",
            new StringContent("{ \"workspace\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);

        // The failed writes changed nothing.
        Assert.Equal(new LimitDto(50, 10, 5), (await admin.GetFromJsonAsync<WorkspaceLimitsResponse>($"/internal/workspaces/{workspaceId}/limits"))!.Workspace);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/internal/workspaces/{workspaceId}/limits")).StatusCode);
        var removed = await admin.GetFromJsonAsync<WorkspaceLimitsResponse>($"/internal/workspaces/{workspaceId}/limits");
        Assert.Equal(("free", (WorkspaceLimitOverrideRequest?)null), (removed!.Plan, removed.Override));
    }

    [Fact]
    public async Task Usage_reports_a_workspaces_current_consumption()
    {
        var workspaceId = await RateLimiterAdmin.NewWorkspaceAsync(platform, new LimitDto(10, 3600, 10), perCredential: new LimitDto(5, 3600, 5));
        await using var host = await AgentSurfaceHost.StartAsync(platform);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(AgentSurfaceHost.Bearer(workspaceId, "key_1"))).StatusCode);
        }

        using var admin = await platform.CreateServiceClientAsync("ratelimiter");
        var usage = await admin.GetFromJsonAsync<WorkspaceUsageResponse>($"/internal/workspaces/{workspaceId}/usage?credentialId=key_1");
        Assert.Equal((3L, 7L), (usage!.Workspace.Used, usage.Workspace.Remaining));
        Assert.Equal((3L, 2L), (usage.Credential!.Used, usage.Credential.Remaining));
        Assert.InRange(usage.Workspace.SecondsUntilFull, 1000, 1080);
    }
}
