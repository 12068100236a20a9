using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.StorefrontApi.Apis;

public static class MediaApi
{
    public static RouteGroupBuilder MapMediaApi(this RouteGroupBuilder merchant)
    {
        var media = merchant.MapGroup("/media").WithTags("Media");
        media.MapGet("/", ListMedia).RequireScope(ScopeCatalogue.ReadMedia).WithSummary("List media assets, newest first");
        media.MapGet("/{id:guid}", GetMedia).RequireScope(ScopeCatalogue.ReadMedia).WithSummary("Get a media asset's metadata");
        media.MapPost("/", RegisterMedia).RequireScope(ScopeCatalogue.WriteMedia).WithSummary("Register an uploaded media asset");
        media.MapDelete("/{id:guid}", DeleteMedia).RequireScope(ScopeCatalogue.WriteMedia).WithSummary("Delete a media asset");
        return merchant;
    }

    public static async Task<Ok<IReadOnlyList<MediaView>>> ListMedia(MediaService media, CancellationToken ct) =>
        TypedResults.Ok(await media.ListAsync(ct));

    public static async Task<Results<Ok<MediaView>, ProblemHttpResult>> GetMedia(Guid id, MediaService media, CancellationToken ct) =>
        (await media.GetAsync(id, ct)).ToOk();

    public static async Task<Results<Created<MediaView>, ProblemHttpResult>> RegisterMedia(RegisterMediaRequest request, MediaService media, CancellationToken ct) =>
        (await media.RegisterAsync(request, ct)).ToCreated(m => $"{MerchantApi.BasePath}/media/{m.Id}");

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteMedia(Guid id, MediaService media, CancellationToken ct) =>
        (await media.DeleteAsync(id, ct)).ToNoContent();
}
