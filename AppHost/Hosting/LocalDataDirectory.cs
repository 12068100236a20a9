using System.Security.Cryptography;

namespace AlyAspire.AppHost.Hosting;

/// <summary>
/// The folder where run-mode Postgres and Redis keep their data and generated secrets
/// (<c>.aly/</c> at the repository root unless <c>AppHost:DataDir</c> names another; tests pass a throw-away one).
/// </summary>
public sealed class LocalDataDirectory
{
    private LocalDataDirectory(string path) => Path = path;

    public string Path { get; }

    public static LocalDataDirectory Resolve(IDistributedApplicationBuilder builder, bool fresh)
    {
        var configured = builder.Configuration["AppHost:DataDir"];
        var path = string.IsNullOrWhiteSpace(configured)
            ? System.IO.Path.GetFullPath(System.IO.Path.Combine(builder.AppHostDirectory, "..", ".aly"))
            : System.IO.Path.GetFullPath(configured);

        if (fresh && Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        Directory.CreateDirectory(path);
        return new LocalDataDirectory(path);
    }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// A secret generated once and kept beside the data it protects (mode 0600), so a database
    /// initialised with it keeps working across runs. Never printed, never passed on a command line.
    /// </summary>
    public string GetOrCreateSecret(string name)
    {
        var secretsDir = Combine("secrets");
        Directory.CreateDirectory(secretsDir);
        RestrictToOwner(secretsDir);

        var file = System.IO.Path.Combine(secretsDir, name);
        if (File.Exists(file))
        {
            var existing = File.ReadAllText(file).Trim();
            if (existing.Length > 0)
            {
                return existing;
            }
        }

        // Alphanumeric only: the value goes into connection strings and config files unescaped.
        var value = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
        File.WriteAllText(file, value);
        RestrictToOwner(file);

        return value;
    }

    /// <summary>Mode 0700 for a folder, 0600 for a file: only the owner may read what holds data or secrets.</summary>
    public static void RestrictToOwner(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        File.SetUnixFileMode(path, Directory.Exists(path) ? mode | UnixFileMode.UserExecute : mode);
    }
}
