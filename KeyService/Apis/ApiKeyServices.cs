using AlyAspire.KeyService.Infrastructure;
using AlyAspire.KeyService.Services;

namespace AlyAspire.KeyService.Apis;

/// <summary>What the key endpoints need, bound with <c>[AsParameters]</c>.</summary>
public sealed class ApiKeyServices(
    KeysDbContext db,
    ApiKeyHasher hasher,
    RevocationPublisher revocations,
    TimeProvider time,
    ILogger<ApiKeyServices> logger)
{
    public KeysDbContext Db { get; } = db;

    public ApiKeyHasher Hasher { get; } = hasher;

    public RevocationPublisher Revocations { get; } = revocations;

    public TimeProvider Time { get; } = time;

    public ILogger<ApiKeyServices> Logger { get; } = logger;
}
