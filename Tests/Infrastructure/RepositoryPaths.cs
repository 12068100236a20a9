namespace AlyAspire.Tests.Infrastructure;

public static class RepositoryPaths
{
    /// <summary>The repository root: the folder holding AlyAspire.sln, found upwards from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AlyAspire.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AlyAspire.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Where tests leave artifacts for people to look at (screenshots): TestResults/artifacts at the root.</summary>
    public static string Artifacts
    {
        get
        {
            var path = Path.Combine(Root, "TestResults", "artifacts");
            Directory.CreateDirectory(path);
            return path;
        }
    }
}
