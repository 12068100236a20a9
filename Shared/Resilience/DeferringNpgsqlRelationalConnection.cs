using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql.EntityFrameworkCore.PostgreSQL.Storage.Internal;

namespace AlyAspire.Shared.Resilience;

// NpgsqlRelationalConnection is the provider's internal API (EF1001). It is the one place where closing and disposing
// a context's connection can be deferred on every path: EF Core's context disposal closes the connection without
// consulting interceptors (RelationalConnection.ResetStateAsync), so an interceptor cannot keep it from closing a
// connection a command abandoned at its deadline is still running on.
#pragma warning disable EF1001

/// <summary>
/// Npgsql's EF Core connection, except that it closes and disposes its <c>DbConnection</c> only once work abandoned on
/// it at a deadline (<see cref="AbandonedConnectionWork"/>) has ended; until then the close is deferred to that moment.
/// </summary>
public sealed class DeferringNpgsqlRelationalConnection(
    RelationalConnectionDependencies dependencies, NpgsqlDataSourceManager dataSourceManager, IDbContextOptions options)
    : NpgsqlRelationalConnection(dependencies, dataSourceManager, options)
{
    protected override void CloseDbConnection()
    {
        if (!AbandonedConnectionWork.TryDeferClose(DbConnection, dispose: false))
        {
            base.CloseDbConnection();
        }
    }

    protected override Task CloseDbConnectionAsync() =>
        AbandonedConnectionWork.TryDeferClose(DbConnection, dispose: false) ? Task.CompletedTask : base.CloseDbConnectionAsync();

    protected override void DisposeDbConnection()
    {
        if (!AbandonedConnectionWork.TryDeferClose(DbConnection, dispose: true))
        {
            base.DisposeDbConnection();
        }
    }

    protected override ValueTask DisposeDbConnectionAsync() =>
        AbandonedConnectionWork.TryDeferClose(DbConnection, dispose: true) ? ValueTask.CompletedTask : base.DisposeDbConnectionAsync();
}
