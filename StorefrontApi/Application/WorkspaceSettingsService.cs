using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Application;

public sealed record WorkspaceSettingsView(Guid WorkspaceId, string Name, string SupportEmail, string DefaultCurrency, string Timezone, DateTimeOffset UpdatedAt);

public sealed record UpdateWorkspaceSettingsRequest(string? Name, string? SupportEmail, string? DefaultCurrency, string? Timezone);

/// <summary>The workspace's store settings. Used by REST and MCP.</summary>
public sealed class WorkspaceSettingsService(StoreDbContext db, ActivityFeed activity, TimeProvider time)
{
    private static readonly StoreError NoStore = new(StoreErrorKind.NotFound, "This workspace has no store yet.");

    public async Task<StoreResult<WorkspaceSettingsView>> GetAsync(CancellationToken ct) =>
        await db.WorkspaceSettings.AsNoTracking().FirstOrDefaultAsync(ct) is { } settings ? ToView(settings) : NoStore;

    public async Task<StoreResult<WorkspaceSettingsView>> UpdateAsync(UpdateWorkspaceSettingsRequest request, CancellationToken ct)
    {
        var settings = await db.WorkspaceSettings.FirstOrDefaultAsync(ct);
        if (settings is null)
        {
            return NoStore;
        }

        if (request.Name is { } name && (string.IsNullOrWhiteSpace(name) || name.Length > 120))
        {
            return StoreError.Invalid("name", "name cannot be empty or longer than 120 characters.");
        }

        if (request.SupportEmail is { } email && (email.Length > 254 || !email.Contains('@', StringComparison.Ordinal)))
        {
            return StoreError.Invalid("supportEmail", "supportEmail must be an email address.");
        }

        if (request.DefaultCurrency is { } currency && !Currency.IsCode(currency))
        {
            return StoreError.Invalid("defaultCurrency", "defaultCurrency must be an ISO 4217 code such as EUR.");
        }

        if (request.Timezone is { } timezone && !TimeZoneInfo.TryFindSystemTimeZoneById(timezone, out _))
        {
            return StoreError.Invalid("timezone", "timezone must be an IANA time zone such as Europe/Berlin.");
        }

        settings.Name = request.Name?.Trim() ?? settings.Name;
        settings.SupportEmail = request.SupportEmail ?? settings.SupportEmail;
        settings.DefaultCurrency = request.DefaultCurrency ?? settings.DefaultCurrency;
        settings.Timezone = request.Timezone ?? settings.Timezone;
        settings.UpdatedAt = time.GetUtcNow();
        activity.Record("workspace.updated", "Workspace settings changed");
        await db.SaveChangesAsync(ct);
        return ToView(settings);
    }

    private static WorkspaceSettingsView ToView(WorkspaceSettings s) => new(s.WorkspaceId, s.Name, s.SupportEmail, s.DefaultCurrency, s.Timezone, s.UpdatedAt);
}
