using System.Diagnostics;

namespace AlyAspire.AppHost.Hosting;

/// <summary>Runs the short set-up commands (initdb, chown) that precede a local server's start.</summary>
internal static class LocalProcess
{
    public static async Task RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new DistributedApplicationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new DistributedApplicationException(
                $"{System.IO.Path.GetFileName(fileName)} exited with {process.ExitCode}: {(await stderr).Trim()} {(await stdout).Trim()}");
        }
    }

    /// <summary>Finds an executable on PATH or in the given extra folders; null when it is not installed.</summary>
    public static string? Find(string name, params string[] extraFolders)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(extraFolders);
        return folders.Select(folder => System.IO.Path.Combine(folder, name)).FirstOrDefault(File.Exists);
    }
}
