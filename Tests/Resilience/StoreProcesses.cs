using System.Diagnostics;
using AlyAspire.AppHost.Hosting;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using AlyAspire.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlyAspire.Tests.Resilience;

/// <summary>
/// The real server processes behind the test host's <c>redis</c> and <c>postgres</c> resources, found in /proc by
/// their data directories (DCP's proxies on the public ports are other processes and are never touched), and the
/// signals a fault test sends them.
/// </summary>
internal static class StoreProcesses
{
    /// <summary>The redis-server (or Garnet) process: its working directory, or an argument, is the resource's data directory.</summary>
    public static int Redis(PlatformFixture platform)
    {
        var dataDirectory = Resource<LocalRedisResource>(platform, "redis").DataDirectory.TrimEnd('/');
        var found = AllProcesses().Where(p =>
                (p.Comm == "redis-server" && p.WorkingDirectory == dataDirectory)
                || (p.Comm != "sh" && p.Arguments.Any(a => a.StartsWith(dataDirectory + "/", StringComparison.Ordinal)) && p.Arguments.Any(a => a.Contains("garnet", StringComparison.Ordinal))))
            .ToList();
        Assert.True(found.Count == 1, $"Expected one Redis server process for {dataDirectory}, found {found.Count}.");
        return found[0].Pid;
    }

    /// <summary>The postmaster: a <c>postgres</c> process started with <c>-D</c> the resource's data directory whose parent is not one.</summary>
    public static int Postmaster(PlatformFixture platform)
    {
        var dataDirectory = Resource<LocalPostgresServerResource>(platform, "postgres").DataDirectory;
        var processes = AllProcesses().ToDictionary(p => p.Pid);
        var found = processes.Values.Where(p =>
                p.Comm == "postgres"
                && p.Arguments.Contains(dataDirectory)
                && !(processes.TryGetValue(p.ParentPid, out var parent) && parent.Comm == "postgres"))
            .ToList();
        Assert.True(found.Count == 1, $"Expected one postmaster for {dataDirectory}, found {found.Count}.");
        return found[0].Pid;
    }

    /// <summary>A process and all its descendants (a PostgreSQL server is its postmaster and every backend).</summary>
    public static IReadOnlyList<int> WithDescendants(int pid)
    {
        var byParent = AllProcesses().ToLookup(p => p.ParentPid, p => p.Pid);
        var result = new List<int>();
        var pending = new Queue<int>([pid]);
        while (pending.TryDequeue(out var next))
        {
            result.Add(next);
            foreach (var child in byParent[next])
            {
                pending.Enqueue(child);
            }
        }

        return result;
    }

    public static void Signal(string signal, IEnumerable<int> pids)
    {
        var startInfo = new ProcessStartInfo("kill") { RedirectStandardError = true, UseShellExecute = false };
        startInfo.ArgumentList.Add("-" + signal);
        foreach (var pid in pids)
        {
            startInfo.ArgumentList.Add(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var kill = Process.Start(startInfo)!;
        if (!kill.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            kill.Kill();
        }
    }

    private static T Resource<T>(PlatformFixture platform, string name) where T : IResource =>
        platform.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<T>().Single(r => r.Name == name);

    private sealed record ProcessInfo(int Pid, int ParentPid, string Comm, string[] Arguments, string? WorkingDirectory);

    private static IEnumerable<ProcessInfo> AllProcesses()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            ProcessInfo info;
            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read from the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var close = stat.LastIndexOf(')');
                var comm = stat[(stat.IndexOf('(') + 1)..close];
                var parentPid = int.Parse(stat[(close + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                var arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                string? cwd = null;
                try
                {
                    cwd = new DirectoryInfo(Path.Combine(directory, "cwd")).LinkTarget?.TrimEnd('/');
                }
                catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
                {
                }

                info = new ProcessInfo(pid, parentPid, comm, arguments, cwd);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                continue; // the process ended while we looked
            }

            yield return info;
        }
    }
}
