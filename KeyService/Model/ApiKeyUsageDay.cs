namespace AlyAspire.KeyService.Model;

/// <summary>Requests verified with a key on one UTC day; written in batches by the usage flusher.</summary>
public sealed class ApiKeyUsageDay
{
    public Guid ApiKeyId { get; set; }

    public DateOnly Day { get; set; }

    public long Requests { get; set; }
}
