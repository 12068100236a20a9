using System.Security.Cryptography;
using System.Text;
using AlyAspire.Shared.Development;
using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AlyAspire.StorefrontApi.Infrastructure;

/// <summary>Where the demo data goes: the demo workspace (lined up with the AuthServer's "Demo Store") and a second store.</summary>
public sealed class DemoWorkspaceOptions
{
    public const string Section = "DemoWorkspace";

    public Guid Id { get; set; } = DemoWorkspaces.DemoStore;

    public Guid SecondId { get; set; } = DemoWorkspaces.OtherStore;
}

/// <summary>
/// Seeds two merchant workspaces in Development (and so under test): a store with products, customers and
/// orders in every state, and a second, smaller store whose data must never show through the first one's
/// credentials. Ids are derived from names, so every replica seeds the same rows and a re-run changes nothing.
/// </summary>
public static class StoreSeed
{
    // Replicas start together: one seeds while the others wait on this advisory lock, then find the data there.
    private const long SeedLockKey = 0x5354_4F52_4553_4544; // "STORESED"

    public static async Task SeedAsync(StoreDbContext db, IServiceProvider services, CancellationToken ct)
    {
        if (!services.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            return;
        }

        var options = services.GetRequiredService<IOptions<DemoWorkspaceOptions>>().Value;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({SeedLockKey})", ct);

        await SeedWorkspaceAsync(db, DemoStore(options.Id, now), ct);
        await SeedWorkspaceAsync(db, OtherStore(options.SecondId, now), ct);

        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Development only: puts the two demo workspaces back to their seeded state (every row of theirs deleted, the seed
    /// written again) in one transaction, under the seed's lock. Returns how many rows were deleted.
    /// </summary>
    public static async Task<int> ResetAsync(StoreDbContext db, IServiceProvider services, CancellationToken ct)
    {
        if (!services.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            throw new InvalidOperationException("The demo store is reset in Development only.");
        }

        var options = services.GetRequiredService<IOptions<DemoWorkspaceOptions>>().Value;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        Guid[] workspaces = [options.Id, options.SecondId];

        // Under the context's retrying strategy, so a transient fault retries the whole reset, not half of it.
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({SeedLockKey})", ct);
            var deleted = 0;
            // Every table of a workspace-owned entity (owned types live in their owner's row as JSON); the model's
            // foreign keys between them cascade or set null, so the order does not matter.
            foreach (var entity in db.Model.GetEntityTypes().Where(e => !e.IsOwned() && e.FindProperty("WorkspaceId") is not null))
            {
                var table = entity.GetTableName()!;
                var column = entity.FindProperty("WorkspaceId")!.GetColumnName();
#pragma warning disable EF1002 // table and column names come from the model, the values are parameters
                deleted += await db.Database.ExecuteSqlRawAsync($"DELETE FROM \"{table}\" WHERE \"{column}\" = ANY(@p0)",
                    [new Npgsql.NpgsqlParameter("p0", workspaces)], ct);
#pragma warning restore EF1002
            }

            await SeedWorkspaceAsync(db, DemoStore(options.Id, now), ct);
            await SeedWorkspaceAsync(db, OtherStore(options.SecondId, now), ct);
            await transaction.CommitAsync(ct);
            return deleted;
        });
    }

    private static async Task SeedWorkspaceAsync(StoreDbContext db, WorkspaceSeed seed, CancellationToken ct)
    {
        if (await db.WorkspaceSettings.IgnoreQueryFilters().AnyAsync(s => s.WorkspaceId == seed.Settings.WorkspaceId, ct))
        {
            return;
        }

        db.Add(seed.Settings);
        db.AddRange(seed.Sites);
        db.AddRange(seed.Domains);
        db.Add(seed.Voice);
        db.AddRange(seed.Media);
        db.AddRange(seed.Products);
        db.AddRange(seed.Collections);
        db.AddRange(seed.Pages);
        db.AddRange(seed.Groups);
        db.AddRange(seed.Customers);
        db.AddRange(seed.Orders);
        db.AddRange(seed.Traffic);
        db.AddRange(seed.Activity);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A stable id for a seeded record: the same on every replica and every run.</summary>
    public static Guid SeedId(Guid workspaceId, string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{workspaceId:N}/{name}"));
        return new Guid(hash.AsSpan(0, 16));
    }

    private sealed record WorkspaceSeed(
        WorkspaceSettings Settings,
        List<Site> Sites,
        List<CustomDomain> Domains,
        VoiceAgentConfig Voice,
        List<MediaAsset> Media,
        List<Product> Products,
        List<ProductCollection> Collections,
        List<ContentPage> Pages,
        List<CustomerGroup> Groups,
        List<Customer> Customers,
        List<Order> Orders,
        List<TrafficDay> Traffic,
        List<ActivityEvent> Activity);

    private static WorkspaceSeed DemoStore(Guid ws, DateTimeOffset now) => Build(ws, now,
        name: DemoWorkspace.Name, subdomain: "demo-store", email: DemoWorkspace.DefaultOwnerEmail, theme: "aurora", customDomain: "shop.demo.store",
        products:
        [
            ("Linen Shirt", 59.00m), ("Canvas Tote", 24.50m), ("Wool Beanie", 19.99m), ("Leather Belt", 45.00m),
            ("Cotton Socks (3 pack)", 14.00m), ("Rain Jacket", 129.00m), ("Denim Jeans", 89.00m), ("Silk Scarf", 39.00m),
        ],
        customers:
        [
            ("Ada Lovelace", "ada@example.com"), ("Grace Hopper", "grace@example.com"), ("Alan Turing", "alan@example.com"),
            ("Katherine Johnson", "katherine@example.com"), ("Edsger Dijkstra", "edsger@example.com"), ("Barbara Liskov", "barbara@example.com"),
            ("Donald Knuth", "donald@example.com"), ("Margaret Hamilton", "margaret@example.com"), ("Tim Berners-Lee", "tim@example.com"),
            ("Radia Perlman", "radia@example.com"),
        ],
        orderStates:
        [
            OrderState.Pending, OrderState.Pending, OrderState.Pending, OrderState.Pending,
            OrderState.Paid, OrderState.Paid, OrderState.Paid, OrderState.Paid, OrderState.Paid, OrderState.Paid,
            OrderState.Fulfilled, OrderState.Fulfilled, OrderState.Fulfilled, OrderState.Fulfilled, OrderState.Fulfilled,
            OrderState.Fulfilled, OrderState.Fulfilled, OrderState.Refunded, OrderState.Refunded, OrderState.Cancelled,
            OrderState.Cancelled, OrderState.Paid, OrderState.Fulfilled, OrderState.Pending,
        ]);

    private static WorkspaceSeed OtherStore(Guid ws, DateTimeOffset now) => Build(ws, now,
        name: DemoWorkspace.OtherName, subdomain: "other-store", email: "owner@other.store", theme: "harbor", customDomain: "shop.other.store",
        products: [("Brass Compass", 74.00m), ("Rope Bracelet", 18.00m), ("Sea Glass Lamp", 210.00m)],
        customers: [("Ishmael Starbuck", "ishmael@example.org"), ("Ahab Peleg", "ahab@example.org"), ("Queequeg Bildad", "queequeg@example.org")],
        orderStates: [OrderState.Pending, OrderState.Paid, OrderState.Paid, OrderState.Fulfilled, OrderState.Refunded, OrderState.Cancelled]);

    private static WorkspaceSeed Build(
        Guid ws, DateTimeOffset now, string name, string subdomain, string email, string theme, string customDomain,
        (string Title, decimal Price)[] products, (string Name, string Email)[] customers, string[] orderStates)
    {
        const string currency = "EUR";
        var settings = new WorkspaceSettings
        {
            WorkspaceId = ws, Name = name, SupportEmail = email, DefaultCurrency = currency, Timezone = "Europe/Berlin", UpdatedAt = now,
        };
        var site = new Site
        {
            Id = SeedId(ws, "site"), WorkspaceId = ws, Name = name, Subdomain = subdomain, Theme = theme, Currency = currency, Locale = "en-GB",
            SeoTitle = name, SeoDescription = $"{name}: everyday goods, well made.", IsPublished = true, PublishedAt = now.AddDays(-90),
            CreatedAt = now.AddDays(-120), UpdatedAt = now.AddDays(-2),
        };
        var domain = new CustomDomain
        {
            Id = SeedId(ws, "domain"), WorkspaceId = ws, SiteId = site.Id, HostName = customDomain, Status = DomainStatus.Verified,
            VerificationRecord = "aly-verify=" + SeedId(ws, "domain-token").ToString("N"), AttachedAt = now.AddDays(-80),
        };
        var voice = new VoiceAgentConfig
        {
            WorkspaceId = ws, Enabled = true, Voice = "alloy", Language = "en-GB",
            Greeting = $"Hello, you're through to {name}. How can I help?", HandoffPhoneNumber = "+49 30 1234567", UpdatedAt = now.AddDays(-10),
        };
        var media = new List<MediaAsset>
        {
            new() { Id = SeedId(ws, "media-hero"), WorkspaceId = ws, FileName = "hero.jpg", ContentType = "image/jpeg", SizeBytes = 482_113,
                Url = $"https://media.aly.store/{ws:N}/hero.jpg", AltText = "Storefront hero image", UploadedAt = now.AddDays(-60) },
            new() { Id = SeedId(ws, "media-logo"), WorkspaceId = ws, FileName = "logo.svg", ContentType = "image/svg+xml", SizeBytes = 8_204,
                Url = $"https://media.aly.store/{ws:N}/logo.svg", AltText = $"{name} logo", UploadedAt = now.AddDays(-100) },
        };

        var productList = products.Select((p, i) => new Product
        {
            Id = SeedId(ws, $"product-{i}"), WorkspaceId = ws, Title = p.Title, Handle = Handle(p.Title), Price = p.Price, Currency = currency,
            Description = $"{p.Title} from {name}.", Inventory = 20 + i * 7, Status = i == products.Length - 1 ? ProductStatus.Draft : ProductStatus.Active,
            CreatedAt = now.AddDays(-100 + i), UpdatedAt = now.AddDays(-5 + i % 5),
        }).ToList();
        var collections = new List<ProductCollection>
        {
            new() { Id = SeedId(ws, "collection-featured"), WorkspaceId = ws, Title = "Featured", Handle = "featured",
                ProductIds = productList.Take(3).Select(p => p.Id).ToList(), UpdatedAt = now.AddDays(-3) },
        };
        var pages = new List<ContentPage>
        {
            new() { Id = SeedId(ws, "page-about"), WorkspaceId = ws, Title = "About us", Slug = "about", UpdatedAt = now.AddDays(-30),
                Blocks = [new() { Kind = "heading", Body = $"About {name}" }, new() { Kind = "text", Body = "We make things that last." }] },
            new() { Id = SeedId(ws, "page-shipping"), WorkspaceId = ws, Title = "Shipping", Slug = "shipping", UpdatedAt = now.AddDays(-20),
                Blocks = [new() { Kind = "text", Body = "Orders ship within two working days." }] },
        };
        var groups = new List<CustomerGroup>
        {
            new() { Id = SeedId(ws, "group-vip"), WorkspaceId = ws, Name = "VIP", Description = "Five or more orders" },
            new() { Id = SeedId(ws, "group-wholesale"), WorkspaceId = ws, Name = "Wholesale", Description = "Trade customers" },
        };
        var customerList = customers.Select((c, i) => new Customer
        {
            Id = SeedId(ws, $"customer-{i}"), WorkspaceId = ws, Name = c.Name, Email = c.Email, AcceptsMarketing = i % 2 == 0,
            GroupId = i % 4 == 0 ? groups[0].Id : null, CreatedAt = now.AddDays(-90 + i), UpdatedAt = now.AddDays(-10 + i % 7),
        }).ToList();

        var orders = orderStates.Select((state, i) =>
        {
            var customer = customerList[i % customerList.Count];
            var lines = Enumerable.Range(0, 1 + i % 3).Select(j =>
            {
                var product = productList[(i + j) % productList.Count];
                return new OrderLine { ProductId = product.Id, Title = product.Title, Quantity = 1 + (i + j) % 2, UnitPrice = product.Price };
            }).ToList();
            var subtotal = lines.Sum(l => l.UnitPrice * l.Quantity);
            var created = now.AddDays(-orderStates.Length + i).AddHours(-i);
            var order = new Order
            {
                Id = SeedId(ws, $"order-{i}"), WorkspaceId = ws, Number = 1001 + i, CustomerId = customer.Id, Email = customer.Email, State = state,
                Currency = currency, Subtotal = subtotal, Shipping = 4.90m, Total = subtotal + 4.90m, Lines = lines, CreatedAt = created, UpdatedAt = created,
                PaidAt = state is OrderState.Paid or OrderState.Fulfilled or OrderState.Refunded ? created.AddMinutes(2) : null,
            };
            if (state is OrderState.Fulfilled or OrderState.Refunded)
            {
                order.Fulfillments.Add(new Fulfillment
                {
                    FulfillmentId = SeedId(ws, $"fulfillment-{i}"), Carrier = "DHL", TrackingNumber = $"JD01460000{i:D4}",
                    FulfilledAt = created.AddDays(1), FulfilledBy = "user:" + email,
                });
            }

            if (state is OrderState.Refunded)
            {
                order.Refunds.Add(new Refund
                {
                    RefundId = SeedId(ws, $"refund-{i}"), Amount = order.Total, Reason = "Returned unworn", RefundedAt = created.AddDays(5), RefundedBy = "user:" + email,
                });
                order.RefundedAmount = order.Total;
            }

            return order;
        }).ToList();

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var traffic = Enumerable.Range(1, 30).Select(d => new TrafficDay
        {
            WorkspaceId = ws, Day = today.AddDays(-d), Visitors = 180 + (d * 37) % 90, PageViews = 640 + (d * 53) % 300,
        }).ToList();
        var activity = orders.Take(8).Select((o, i) => new ActivityEvent
        {
            Id = SeedId(ws, $"activity-{i}"), WorkspaceId = ws, OccurredAt = o.CreatedAt, Actor = "storefront", Kind = "order.created",
            Summary = $"Order #{o.Number} placed by {o.Email}", SubjectId = o.Id.ToString(),
        }).ToList();

        return new WorkspaceSeed(settings, [site], [domain], voice, media, productList, collections, pages, groups, customerList, orders, traffic, activity);
    }

    public static string Handle(string title) =>
        string.Join('-', new string(title.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : ' ').ToArray())
            .Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
