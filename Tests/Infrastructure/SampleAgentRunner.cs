using System.Diagnostics;

namespace AlyAspire.Tests.Infrastructure;

/// <summary>Runs the SampleAgent program (built with the solution) against the test stack, as a developer would.</summary>
public static class SampleAgentRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(PlatformFixture platform, IDictionary<string, string>? environment, params string[] arguments)
    {
        var agentDll = Path.Combine(RepositoryPaths.Root, "SampleAgent", "bin", "Debug", "net10.0", "SampleAgent.dll");
        Assert.True(File.Exists(agentDll), $"{agentDll} is not built");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(agentDll);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The same variables the AppHost's WithReference gives the agent.
        startInfo.Environment["services__authserver__http__0"] = platform.Endpoint("authserver").ToString().TrimEnd('/');
        startInfo.Environment["services__storefrontapi__http__0"] = platform.Endpoint("storefrontapi").ToString().TrimEnd('/');
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
