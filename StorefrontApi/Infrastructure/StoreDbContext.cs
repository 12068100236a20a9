using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Infrastructure;

public sealed class StoreDbContext(DbContextOptions<StoreDbContext> options) : DbContext(options)
{
}
