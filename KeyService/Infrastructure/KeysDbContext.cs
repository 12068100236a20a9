using Microsoft.EntityFrameworkCore;

namespace AlyAspire.KeyService.Infrastructure;

public sealed class KeysDbContext(DbContextOptions<KeysDbContext> options) : DbContext(options)
{
}
