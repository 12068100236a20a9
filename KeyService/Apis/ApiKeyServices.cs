using AlyAspire.AgentGate;
using AlyAspire.KeyService.Infrastructure;
using AlyAspire.KeyService.Services;
using AlyAspire.Shared.Credentials;

namespace AlyAspire.KeyService.Apis;

/// <summary>What the key endpoints need, bound with <c>[AsParameters]</c>.</summary>
public sealed class ApiKeyServices(
    KeysDbContext db,
    ApiKeyHasher hasher,
    RevocationPublisher revocations,
    RevocationMarkers markers,
    KeyActors actors,
    TimeProvider time,
    ILogger<ApiKeyServices> logger)
{
    public KeysDbContext Db { get; } = db;

    public ApiKeyHasher Hasher { get; } = hasher;

    public RevocationPublisher Revocations { get; } = revocations;

    public RevocationMarkers Markers { get; } = markers;

    public KeyActors Actors { get; } = actors;

    public TimeProvider Time { get; } = time;

    public ILogger<ApiKeyServices> Logger { get; } = logger;
}
