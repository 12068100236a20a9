using Microsoft.EntityFrameworkCore;

namespace AlyAspire.AuthServer.Infrastructure;

public sealed class AuthDbContext(DbContextOptions<AuthDbContext> options) : DbContext(options)
{
}
