using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.StorefrontApi.Apis;

public static class CustomersApi
{
    public static RouteGroupBuilder MapCustomersApi(this RouteGroupBuilder merchant)
    {
        var customers = merchant.MapGroup("/customers").WithTags("Customers");
        customers.MapGet("/", SearchCustomers).RequireScope(ScopeCatalogue.ReadCustomers).WithSummary("List customers, or find them by part of a name or email");
        customers.MapGet("/{id:guid}", GetCustomer).RequireScope(ScopeCatalogue.ReadCustomers).WithSummary("Get a customer with order count and total spent");
        customers.MapPatch("/{id:guid}", UpdateCustomer).RequireScope(ScopeCatalogue.WriteCustomers).WithSummary("Change a customer's details or group");

        var groups = merchant.MapGroup("/customer-groups").WithTags("Customers");
        groups.MapGet("/", ListGroups).RequireScope(ScopeCatalogue.ReadCustomers).WithSummary("List customer groups");
        groups.MapPost("/", CreateGroup).RequireScope(ScopeCatalogue.WriteCustomers).WithSummary("Create a customer group");
        return merchant;
    }

    public static async Task<Results<Ok<PagedList<CustomerView>>, ProblemHttpResult>> SearchCustomers(
        CustomerService customers, CancellationToken ct, string? query = null, int page = 1, int pageSize = Paging.DefaultPageSize) =>
        (await customers.SearchAsync(query, page, pageSize, ct)).ToOk();

    public static async Task<Results<Ok<CustomerView>, ProblemHttpResult>> GetCustomer(Guid id, CustomerService customers, CancellationToken ct) =>
        (await customers.GetAsync(id, ct)).ToOk();

    public static async Task<Results<Ok<CustomerView>, ProblemHttpResult>> UpdateCustomer(Guid id, UpdateCustomerRequest request, CustomerService customers, CancellationToken ct) =>
        (await customers.UpdateAsync(id, request, ct)).ToOk();

    public static async Task<Ok<IReadOnlyList<CustomerGroupView>>> ListGroups(CustomerService customers, CancellationToken ct) =>
        TypedResults.Ok(await customers.ListGroupsAsync(ct));

    public static async Task<Results<Created<CustomerGroupView>, ProblemHttpResult>> CreateGroup(CreateCustomerGroupRequest request, CustomerService customers, CancellationToken ct) =>
        (await customers.CreateGroupAsync(request, ct)).ToCreated(g => $"{MerchantApi.BasePath}/customer-groups/{g.Id}");
}
