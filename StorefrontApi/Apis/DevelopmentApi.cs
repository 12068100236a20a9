using AlyAspire.Shared.Internal;
using AlyAspire.StorefrontApi.Infrastructure;

namespace AlyAspire.StorefrontApi.Apis;

/// <summary>
/// Development-only operations, for the AppHost's dashboard commands: mapped only in Development, and behind the
/// platform's service credential even there.
/// </summary>
public static class DevelopmentApi
{
    public const string ResetDemoStorePath = "/internal/development/reset-demo-store";

    public sealed record DemoStoreReset(int DeletedRows);

    public static WebApplication MapDevelopmentApi(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.MapPost(ResetDemoStorePath, ResetDemoStoreAsync)
                .RequireAuthorization(InternalServiceAuthentication.Policy)
                .ExcludeFromDescription();
        }

        return app;
    }

    public static async Task<IResult> ResetDemoStoreAsync(StoreDbContext db, IServiceProvider services, CancellationToken ct) =>
        TypedResults.Ok(new DemoStoreReset(await StoreSeed.ResetAsync(db, services, ct)));
}
