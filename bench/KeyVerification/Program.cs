using AlyAspire.Bench.KeyVerification;
using BenchmarkDotNet.Configs;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In-process: the platform stack is started once by the benchmark's setup, in this process.
var config = DefaultConfig.Instance
    .AddJob(Job.Default
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithWarmupCount(3)
        .WithIterationCount(20)
        // Iterations of at least 250 ms smooth out the shared machine's noise.
        .WithMinIterationTime(TimeInterval.FromMilliseconds(250)));

BenchmarkSwitcher.FromAssembly(typeof(KeyVerificationBenchmarks).Assembly).Run(args, config);
