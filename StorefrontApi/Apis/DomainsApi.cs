using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.StorefrontApi.Apis;

/// <summary>Custom domains over <see cref="DomainService"/>: attach (a pending claim), verify by DNS TXT, detach.</summary>
public static class DomainsApi
{
    public static RouteGroupBuilder MapDomainsApi(this RouteGroupBuilder merchant)
    {
        var domains = merchant.MapGroup("/domains").WithTags("Domains");
        domains.MapGet("/", ListDomains).RequireScope(ScopeCatalogue.ManageDomains).WithSummary("List custom domains");
        domains.MapPost("/", AttachDomain).RequireScope(ScopeCatalogue.ManageDomains)
            .WithSummary("Attach a custom domain to a site: a claim pending DNS verification, which expires (72 h) unless verified");
        domains.MapPost("/{id:guid}/verify", VerifyDomain).RequireScope(ScopeCatalogue.ManageDomains)
            .WithSummary("Verify a claim by its TXT record at _alyaspire.{host}; the verified claim wins the name");
        domains.MapDelete("/{id:guid}", DetachDomain).RequireScope(ScopeCatalogue.ManageDomains).WithSummary("Detach a custom domain");
        return merchant;
    }

    public static async Task<Ok<IReadOnlyList<DomainView>>> ListDomains(DomainService domains, CancellationToken ct) =>
        TypedResults.Ok(await domains.ListAsync(ct));

    public static async Task<Results<Created<DomainView>, ProblemHttpResult>> AttachDomain(
        AttachDomainRequest request, DomainService domains, CancellationToken ct) =>
        (await domains.AttachAsync(request, ct)).ToCreated(d => $"{MerchantApi.BasePath}/domains/{d.Id}");

    public static async Task<Results<Ok<DomainView>, ProblemHttpResult>> VerifyDomain(Guid id, DomainService domains, CancellationToken ct) =>
        (await domains.VerifyAsync(id, ct)).ToOk();

    public static async Task<Results<NoContent, ProblemHttpResult>> DetachDomain(Guid id, DomainService domains, CancellationToken ct) =>
        await domains.DetachAsync(id, ct) is { Error: { } error } ? error.ToProblem() : TypedResults.NoContent();
}
