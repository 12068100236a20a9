using System.Security.Cryptography;
using System.Text;
using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Application;

/// <summary>The answer to a state-changing request: a status code and the JSON body the surface rendered.</summary>
public sealed record RenderedResponse(int StatusCode, string Body)
{
    /// <summary>Whether the answer is kept for the key: only for a change that happened (a refusal changes nothing).</summary>
    public bool Remember { get; init; } = StatusCode is >= 200 and < 300;
}

public enum IdempotentOutcomeKind
{
    /// <summary>The operation ran now.</summary>
    Executed,
    /// <summary>The key was seen with the same request: the stored answer.</summary>
    Replayed,
    /// <summary>The key was seen with another request.</summary>
    KeyReused,
}

public sealed record IdempotentOutcome(IdempotentOutcomeKind Kind, RenderedResponse? Response);

/// <summary>
/// Runs a state-changing operation at most once per idempotency key of the workspace: the operation's writes, its side
/// effects (an order placed) and the remembered answer commit in one transaction, or none of them does. Failed
/// operations are rolled back and not remembered, so a corrected retry may reuse the key.
/// </summary>
public sealed class IdempotentRequests(StoreDbContext db, TimeProvider time)
{
    /// <summary>How long a key is remembered (UCP asks for at least 24 hours).</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    public const int MaxKeyLength = 255;

    public static string HashOf(string operation, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(operation + "\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public Task<IdempotentOutcome> RunAsync(string key, string requestHash, Func<CancellationToken, Task<RenderedResponse>> operation, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            if (await FindAsync(key, requestHash, ct) is { } seen)
            {
                return seen;
            }

            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // A key past its retention may be used afresh.
            var expired = time.GetUtcNow() - Retention;
            await db.IdempotencyRecords.Where(r => r.Key == key && r.CreatedAt <= expired).ExecuteDeleteAsync(ct);
            var response = await operation(ct);
            if (!response.Remember)
            {
                await transaction.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                return new IdempotentOutcome(IdempotentOutcomeKind.Executed, response);
            }

            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                Id = Guid.CreateVersion7(time.GetUtcNow()), Key = key, RequestHash = requestHash, StatusCode = response.StatusCode,
                ResponseBody = response.Body, CreatedAt = time.GetUtcNow(),
            });
            try
            {
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            catch (DbUpdateException)
            {
                // The same key committed concurrently: its answer stands, this attempt's writes do not.
                await transaction.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                return await FindAsync(key, requestHash, ct) ?? throw new InvalidOperationException("An idempotency record vanished.");
            }

            return new IdempotentOutcome(IdempotentOutcomeKind.Executed, response);
        });

    private async Task<IdempotentOutcome?> FindAsync(string key, string requestHash, CancellationToken ct)
    {
        var since = time.GetUtcNow() - Retention;
        var record = await db.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.Key == key && r.CreatedAt > since, ct);
        return record is null ? null
            : record.RequestHash == requestHash
                ? new IdempotentOutcome(IdempotentOutcomeKind.Replayed, new RenderedResponse(record.StatusCode, record.ResponseBody))
                : new IdempotentOutcome(IdempotentOutcomeKind.KeyReused, null);
    }
}
