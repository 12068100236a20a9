using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Application;

public sealed record CustomerView(
    Guid Id, string Email, string Name, string? Phone, Guid? GroupId, bool AcceptsMarketing, string? Note,
    int Orders, decimal TotalSpent, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record UpdateCustomerRequest(string? Name, string? Phone, Guid? GroupId, bool? AcceptsMarketing, string? Note);

public sealed record CustomerGroupView(Guid Id, string Name, string? Description, int Members);

public sealed record CreateCustomerGroupRequest(string? Name, string? Description);

/// <summary>Customers and customer groups. Used by REST and MCP.</summary>
public sealed class CustomerService(StoreDbContext db, ActivityFeed activity, TimeProvider time)
{
    /// <summary>Finds customers by a part of their name or email (or lists them all).</summary>
    public async Task<StoreResult<PagedList<CustomerView>>> SearchAsync(string? query, int page, int pageSize, CancellationToken ct)
    {
        if (Paging.Validate(page, pageSize) is { } invalid)
        {
            return invalid;
        }

        var customers = db.Customers.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query))
        {
            if (query.Length > 200)
            {
                return StoreError.Invalid("query", "query is at most 200 characters.");
            }

            var pattern = $"%{CatalogService.EscapeLike(query.Trim())}%";
            customers = customers.Where(c => EF.Functions.ILike(c.Email, pattern, "\\") || EF.Functions.ILike(c.Name, pattern, "\\"));
        }

        var total = await customers.CountAsync(ct);
        var items = await Project(customers.OrderBy(c => c.Name).ThenBy(c => c.Id).Skip((page - 1) * pageSize).Take(pageSize)).ToListAsync(ct);
        return new PagedList<CustomerView>(items, page, pageSize, total);
    }

    public async Task<StoreResult<CustomerView>> GetAsync(Guid id, CancellationToken ct) =>
        await Project(db.Customers.AsNoTracking().Where(c => c.Id == id)).FirstOrDefaultAsync(ct) is { } customer
            ? customer
            : StoreError.NotFound("The customer");

    public async Task<StoreResult<CustomerView>> UpdateAsync(Guid id, UpdateCustomerRequest request, CancellationToken ct)
    {
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (customer is null)
        {
            return StoreError.NotFound("The customer");
        }

        if (request.Name is { } name && (string.IsNullOrWhiteSpace(name) || name.Length > 200))
        {
            return StoreError.Invalid("name", "name cannot be empty or longer than 200 characters.");
        }

        if (request.Phone?.Length > 32 || request.Note?.Length > 2000)
        {
            return StoreError.Invalid(request.Phone?.Length > 32 ? "phone" : "note", "phone is at most 32 and note at most 2000 characters.");
        }

        if (request.GroupId is { } groupId && !await db.CustomerGroups.AnyAsync(g => g.Id == groupId, ct))
        {
            return StoreError.Invalid("groupId", "The customer group was not found.");
        }

        customer.Name = request.Name?.Trim() ?? customer.Name;
        customer.Phone = request.Phone ?? customer.Phone;
        customer.GroupId = request.GroupId ?? customer.GroupId;
        customer.AcceptsMarketing = request.AcceptsMarketing ?? customer.AcceptsMarketing;
        customer.Note = request.Note ?? customer.Note;
        customer.UpdatedAt = time.GetUtcNow();
        activity.Record("customer.updated", $"Customer {customer.Email} updated", customer.Id);
        await db.SaveChangesAsync(ct);
        return (await GetAsync(id, ct)).Value!;
    }

    public async Task<IReadOnlyList<CustomerGroupView>> ListGroupsAsync(CancellationToken ct) =>
        await db.CustomerGroups.AsNoTracking().OrderBy(g => g.Name)
            .Select(g => new CustomerGroupView(g.Id, g.Name, g.Description, db.Customers.Count(c => c.GroupId == g.Id)))
            .ToListAsync(ct);

    public async Task<StoreResult<CustomerGroupView>> CreateGroupAsync(CreateCustomerGroupRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 120 || request.Description?.Length > 500)
        {
            return StoreError.Invalid("name", "name is required (at most 120 characters; description at most 500).");
        }

        var name = request.Name.Trim();
        if (await db.CustomerGroups.AnyAsync(g => g.Name == name, ct))
        {
            return StoreError.Conflict($"A customer group named '{name}' already exists.");
        }

        var group = new CustomerGroup { Id = Guid.CreateVersion7(time.GetUtcNow()), Name = name, Description = request.Description };
        db.CustomerGroups.Add(group);
        activity.Record("customer_group.created", $"Customer group '{name}' created", group.Id);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return StoreError.Conflict($"A customer group named '{name}' already exists.");
        }

        return new CustomerGroupView(group.Id, group.Name, group.Description, 0);
    }

    private IQueryable<CustomerView> Project(IQueryable<Customer> customers) =>
        customers.Select(c => new CustomerView(
            c.Id, c.Email, c.Name, c.Phone, c.GroupId, c.AcceptsMarketing, c.Note,
            db.Orders.Count(o => o.CustomerId == c.Id),
            db.Orders.Where(o => o.CustomerId == c.Id && o.State != OrderState.Cancelled && o.State != OrderState.Pending).Sum(o => o.Total - o.RefundedAmount),
            c.CreatedAt, c.UpdatedAt));
}
