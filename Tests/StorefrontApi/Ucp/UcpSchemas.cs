using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlyAspire.Tests.Infrastructure;
using Json.Schema;

namespace AlyAspire.Tests.StorefrontApi.Ucp;

/// <summary>Validates answers against the UCP shapes the tests wrote down from the specification (ucp-2026-04-08.schema.json).</summary>
public static class UcpSchemas
{
    private static readonly string Document = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Tests", "StorefrontApi", "Ucp", "ucp-2026-04-08.schema.json"));

    // One schema per definition, built once, each in a registry of its own.
    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Built = new(StringComparer.Ordinal);

    public static void AssertValid(string definition, JsonElement instance)
    {
        var schema = Built.GetOrAdd(definition, name => new Lazy<JsonSchema>(() => Build(name))).Value;
        var result = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        Assert.True(result.IsValid, $"Not a valid UCP {definition}: {Describe(result)}\n{instance}");
    }

    private static JsonSchema Build(string definition)
    {
        var root = JsonNode.Parse(Document)!.AsObject();
        Assert.True(root["$defs"]!.AsObject().ContainsKey(definition), $"No definition '{definition}'.");
        root["$ref"] = $"#/$defs/{definition}";
        var id = new Uri($"https://tests.alyaspire.dev/ucp/2026-04-08/{definition}.json");
        root["$id"] = id.AbsoluteUri;
        return JsonSchema.FromText(root.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() }, id);
    }

    private static string Describe(EvaluationResults result) =>
        string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation} ({d.EvaluationPath}): {string.Join(", ", d.Errors!.Values)}"));
}
