namespace AlyAspire.AppHost.Hosting;

public static class ServiceCredentialExtensions
{
    /// <summary>
    /// One secret for one calling pair: a secret parameter <c>&lt;caller&gt;-to-&lt;callee&gt;-key</c>, given to the caller
    /// as <c>Internal__Credentials__&lt;callee&gt;</c> (what it presents) and to the callee as
    /// <c>Internal__Callers__&lt;caller&gt;</c> (what it accepts from that caller alone). The callee must also name the
    /// caller in its <c>AddInternalServiceAuthentication(…)</c>, or it refuses the secret.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddServiceCredential(this PlatformStores stores,
        IResourceBuilder<ProjectResource> caller, IResourceBuilder<ProjectResource> callee)
    {
        var secret = stores.AddSecret(Name(caller.Resource.Name, callee.Resource.Name));
        caller.WithEnvironment($"Internal__Credentials__{callee.Resource.Name}", secret);
        callee.WithEnvironment($"Internal__Callers__{caller.Resource.Name}", secret);
        return secret;
    }

    /// <summary>The secret parameter's name for a pair.</summary>
    public static string Name(string caller, string callee) => $"{caller}-to-{callee}-key";
}
