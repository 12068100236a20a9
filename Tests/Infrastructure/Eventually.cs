namespace AlyAspire.Tests.Infrastructure;

/// <summary>Retries an assertion until it passes or a deadline passes; for state that converges (reconnects).</summary>
public static class Eventually
{
    public static async Task SucceedsAsync(Func<Task> assertion, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }
}
