using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AlyAspire.AuthServer.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// Gives the OpenIddict server its signing and encryption certificates and symmetric token keys. Certificates: from configuration
/// (<c>OAuth:Certificates:Signing</c> / <c>OAuth:Certificates:Encryption</c>, paths to PKCS#12 files, with
/// <c>…:Password</c>) in production, otherwise generated once and kept in authdb, so a restart invalidates no
/// token, code or consent. What authdb keeps is sealed with the <see cref="KeyEncryptionKey"/>; a row stored in
/// the clear by an earlier version is sealed the first time it is read.
/// </summary>
public sealed class ServerCertificateStore(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider time, KeyEncryptionKey keyEncryptionKey)
    : IConfigureOptions<OpenIddictServerOptions>
{
    public const string Signing = "signing";
    public const string Encryption = "encryption";

    public void Configure(OpenIddictServerOptions options)
    {
        var signing = Load(Signing, X509KeyUsageFlags.DigitalSignature);
        var encryption = Load(Encryption, X509KeyUsageFlags.KeyEncipherment);
        options.SigningCredentials.Add(new Microsoft.IdentityModel.Tokens.X509SigningCredentials(signing));
        options.EncryptionCredentials.Add(new Microsoft.IdentityModel.Tokens.X509EncryptingCredentials(encryption, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaOAEP, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.Aes256CbcHmacSha512));

        // OpenIddict prefers symmetric keys: every token is signed (HS256) and its payload wrapped (A256KW) with these,
        // while the certificates above still read tokens issued before them (and would sign identity tokens).
        var signingKey = new SymmetricSecurityKey(LoadKey(Signing, 64)) { KeyId = "hs-" + Signing };
        var encryptionKey = new SymmetricSecurityKey(LoadKey(Encryption, 32)) { KeyId = "kw-" + Encryption };
        options.SigningCredentials.Add(new SigningCredentials(signingKey, SecurityAlgorithms.HmacSha256));
        options.EncryptionCredentials.Add(new EncryptingCredentials(encryptionKey, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
    }

    /// <summary>
    /// A symmetric key: from configuration (<c>OAuth:TokenKeys:Signing</c> / <c>…:Encryption</c>, Base64) in production,
    /// otherwise generated once and kept in authdb.
    /// </summary>
    private byte[] LoadKey(string purpose, int length)
    {
        if (configuration[$"OAuth:TokenKeys:{char.ToUpperInvariant(purpose[0])}{purpose[1..]}"] is { Length: > 0 } configured)
        {
            var bytes = Convert.FromBase64String(configured);
            return bytes.Length == length ? bytes
                : throw new InvalidOperationException($"OAuth:TokenKeys:{purpose} must be {length} bytes (Base64).");
        }

        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        db.Database.Migrate();
        var stored = db.ServerTokenKeys.AsNoTracking().SingleOrDefault(k => k.Purpose == purpose);
        if (stored is null)
        {
            stored = new ServerTokenKey { Purpose = purpose, Material = RandomNumberGenerator.GetBytes(length), CreatedAt = time.GetUtcNow() };
            db.ServerTokenKeys.Add(stored);
            try
            {
                db.SaveChanges();
            }
            catch (DbUpdateException)
            {
                // Another instance stored one first: use theirs.
                db.ChangeTracker.Clear();
                stored = db.ServerTokenKeys.AsNoTracking().Single(k => k.Purpose == purpose);
            }
        }

        return stored.Material;
    }

    private X509Certificate2 Load(string purpose, X509KeyUsageFlags usage)
    {
        var section = configuration.GetSection($"OAuth:Certificates:{char.ToUpperInvariant(purpose[0])}{purpose[1..]}");
        if (section["Path"] is { Length: > 0 } path)
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, section["Password"], X509KeyStorageFlags.EphemeralKeySet);
        }

        // Options are first resolved by a request, but make sure the table exists whatever the order.
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        db.Database.Migrate();

        var stored = db.ServerCertificates.SingleOrDefault(c => c.Purpose == purpose);
        if (stored is null)
        {
            stored = new ServerCertificate { Purpose = purpose, Pkcs12 = Seal(Create(purpose, usage), purpose), CreatedAt = time.GetUtcNow() };
            db.ServerCertificates.Add(stored);
            try
            {
                db.SaveChanges();
            }
            catch (DbUpdateException)
            {
                // Another instance stored one first: use theirs.
                db.ChangeTracker.Clear();
                stored = db.ServerCertificates.AsNoTracking().Single(c => c.Purpose == purpose);
            }
        }
        else if (!KeyEncryptionKey.IsEnvelope(stored.Pkcs12))
        {
            stored.Pkcs12 = Seal(stored.Pkcs12, purpose);
            db.SaveChanges();
        }

        var pkcs12 = keyEncryptionKey.Decrypt(stored.Pkcs12, SealPurpose(purpose));
        try
        {
            return X509CertificateLoader.LoadPkcs12(pkcs12, password: null, X509KeyStorageFlags.EphemeralKeySet);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs12);
        }
    }

    private byte[] Seal(byte[] pkcs12, string purpose) => keyEncryptionKey.Encrypt(pkcs12, SealPurpose(purpose));

    private static string SealPurpose(string purpose) => $"server-certificate:{purpose}";

    private byte[] Create(string purpose, X509KeyUsageFlags usage)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN=AlyAspire AuthServer {purpose}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        var now = time.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(5));
        return certificate.Export(X509ContentType.Pkcs12);
    }
}
