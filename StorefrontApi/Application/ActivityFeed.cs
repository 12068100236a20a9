using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;

namespace AlyAspire.StorefrontApi.Application;

/// <summary>Adds an entry to the workspace's activity feed in the same unit of work as the change it describes.</summary>
public sealed class ActivityFeed(StoreDbContext db, ICurrentWorkspace workspace, TimeProvider time)
{
    public void Record(string kind, string summary, Guid? subjectId = null) => db.ActivityEvents.Add(new ActivityEvent
    {
        Id = Guid.CreateVersion7(time.GetUtcNow()),
        OccurredAt = time.GetUtcNow(),
        Actor = workspace.Actor,
        Kind = kind,
        Summary = summary,
        SubjectId = subjectId?.ToString(),
    });
}
