namespace AlyAspire.SampleAgent;

/// <summary>Where the platform is and how the agent runs; Aspire-style variables first, the AppHost's default ports otherwise.</summary>
internal sealed record AgentSettings(
    string Command,
    Uri AuthServer,
    Uri StorefrontApi,
    bool Headless,
    string? ApiKey,
    string Email,
    string Password,
    string Scope,
    string PlatformProfile)
{
    public const string DefaultScope = "read:orders read:content read:customers";

    /// <summary>The profile URL this agent names itself by on UCP when none is configured.</summary>
    public const string DefaultPlatformProfile = "https://sample-agent.alyaspire.dev/.well-known/ucp";

    public static AgentSettings FromEnvironment(string[] args)
    {
        string? Option(string name)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
        }

        string Env(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

        return new AgentSettings(
            Command: args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? string.Empty,
            AuthServer: new Uri(Env("services__authserver__http__0", "http://localhost:5100")),
            StorefrontApi: new Uri(Env("services__storefrontapi__http__0", "http://localhost:5200")),
            Headless: args.Contains("--headless"),
            ApiKey: Option("--key") ?? Environment.GetEnvironmentVariable("ALY_API_KEY"),
            // The development owner the AuthServer seeds (README); only used by --headless.
            Email: Env("ALY_EMAIL", "owner@demo.store"),
            Password: Env("ALY_PASSWORD", "AlyDemo!2026"),
            Scope: Option("--scope") ?? DefaultScope,
            // The shopping platform's own UCP profile URL, sent in UCP-Agent; a key bound to a profile only works with it.
            PlatformProfile: Option("--profile") ?? Env("ALY_UCP_PROFILE", DefaultPlatformProfile));
    }
}
