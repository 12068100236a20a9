using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.StorefrontApi.Authentication;
using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Apis;

public sealed record WorkspaceSettingsView(Guid WorkspaceId, string Name, string SupportEmail, string DefaultCurrency, string Timezone, DateTimeOffset UpdatedAt);

public sealed record UpdateWorkspaceSettingsRequest(string? Name, string? SupportEmail, string? DefaultCurrency, string? Timezone);

public static class WorkspaceApi
{
    public static RouteGroupBuilder MapWorkspaceApi(this RouteGroupBuilder merchant)
    {
        var workspace = merchant.MapGroup("/workspace/settings").WithTags("Workspace");
        workspace.MapGet("/", GetSettings).RequireScope(ScopeCatalogue.ManageWorkspace).WithSummary("Get the workspace's settings");
        workspace.MapPatch("/", UpdateSettings).RequireScope(ScopeCatalogue.ManageWorkspace).WithSummary("Change the workspace's settings");
        return merchant;
    }

    public static async Task<Results<Ok<WorkspaceSettingsView>, ProblemHttpResult>> GetSettings(StoreDbContext db, CancellationToken ct) =>
        await db.WorkspaceSettings.AsNoTracking().FirstOrDefaultAsync(ct) is { } settings
            ? TypedResults.Ok(ToView(settings))
            : StoreResults.NotFound("This workspace has no store yet.");

    public static async Task<Results<Ok<WorkspaceSettingsView>, ProblemHttpResult>> UpdateSettings(
        UpdateWorkspaceSettingsRequest request, StoreDbContext db, ActivityFeed activity, TimeProvider time, CancellationToken ct)
    {
        var settings = await db.WorkspaceSettings.FirstOrDefaultAsync(ct);
        if (settings is null)
        {
            return StoreResults.NotFound("This workspace has no store yet.");
        }

        if (request.Name is { } name && (string.IsNullOrWhiteSpace(name) || name.Length > 120))
        {
            return StoreResults.Invalid("name", "name cannot be empty or longer than 120 characters.");
        }

        if (request.SupportEmail is { } email && (email.Length > 254 || !email.Contains('@', StringComparison.Ordinal)))
        {
            return StoreResults.Invalid("supportEmail", "supportEmail must be an email address.");
        }

        if (request.DefaultCurrency is { } currency && !StoreResults.IsCurrencyCode(currency))
        {
            return StoreResults.Invalid("defaultCurrency", "defaultCurrency must be an ISO 4217 code such as EUR.");
        }

        if (request.Timezone is { } timezone && !TimeZoneInfo.TryFindSystemTimeZoneById(timezone, out _))
        {
            return StoreResults.Invalid("timezone", "timezone must be an IANA time zone such as Europe/Berlin.");
        }

        settings.Name = request.Name?.Trim() ?? settings.Name;
        settings.SupportEmail = request.SupportEmail ?? settings.SupportEmail;
        settings.DefaultCurrency = request.DefaultCurrency ?? settings.DefaultCurrency;
        settings.Timezone = request.Timezone ?? settings.Timezone;
        settings.UpdatedAt = time.GetUtcNow();
        activity.Record("workspace.updated", "Workspace settings changed");
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToView(settings));
    }

    private static WorkspaceSettingsView ToView(WorkspaceSettings s) => new(s.WorkspaceId, s.Name, s.SupportEmail, s.DefaultCurrency, s.Timezone, s.UpdatedAt);
}
