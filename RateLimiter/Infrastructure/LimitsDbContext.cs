using Microsoft.EntityFrameworkCore;

namespace AlyAspire.RateLimiter.Infrastructure;

public sealed class LimitsDbContext(DbContextOptions<LimitsDbContext> options) : DbContext(options)
{
}
