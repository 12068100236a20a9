using System.Diagnostics;
using System.Globalization;

namespace AlyAspire.Bench.Support;

/// <summary>
/// A whole-machine CPU profile (<c>perf record -a -g</c>) of a measured run. Not <c>perf record -p</c>: its tracing of
/// the process's every thread switch cost the profiled service about half its throughput. A service's own samples
/// are told apart by its pid afterwards (<see cref="BenchPlatform.ProcessIdAsync"/>); start it with
/// <c>DOTNET_PerfMapEnabled=1</c> so its JIT-compiled frames can be named from <c>/tmp/perf-&lt;pid&gt;.map</c>.
/// </summary>
public static class MachineProfile
{
    /// <summary>Records into <paramref name="file"/> for <paramref name="duration"/>; await the process's exit for the file.</summary>
    public static Process Record(string file, TimeSpan duration) =>
        Process.Start("perf",
            ["record", "-a", "-g", "-F", "299", "-o", file, "--", "sleep", ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture)])
        ?? throw new InvalidOperationException("perf could not be started.");
}
