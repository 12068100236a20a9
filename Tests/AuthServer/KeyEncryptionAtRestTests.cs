using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml.Linq;
using AlyAspire.Tests.Infrastructure;
using Npgsql;

namespace AlyAspire.Tests.AuthServer;

/// <summary>
/// The AuthServer's key material in authdb is sealed with the key-encryption key (AppHost secret
/// <c>key-encryption-key</c>): the rows hold no usable key, and opened with that key they hold the keys in use.
/// Opens the documented envelope itself (version ‖ nonce ‖ tag ‖ AES-256-GCM ciphertext, key from HKDF-SHA256).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class KeyEncryptionAtRestTests(PlatformFixture platform)
{
    [Fact]
    public async Task Signing_encryption_and_data_protection_keys_are_stored_sealed_and_open_only_with_the_key_encryption_key()
    {
        // Make sure both kinds exist: a discovery document loads the certificates, a sign-in form makes an antiforgery key.
        using var http = platform.CreateClient("authserver");
        (await http.GetAsync("/.well-known/openid-configuration")).EnsureSuccessStatusCode();
        (await http.GetAsync("/account/login")).EnsureSuccessStatusCode();
        var kek = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(await platform.GetSecretAsync("key-encryption-key")), 32,
            salt: [], info: "AlyAspire.AuthServer key encryption v1"u8.ToArray());

        await using var connection = new NpgsqlConnection(await platform.ConnectionStringAsync("authdb"));
        await connection.OpenAsync();

        var certificates = new Dictionary<string, byte[]>();
        await using (var read = new NpgsqlCommand("""SELECT "Purpose", "Pkcs12" FROM server_certificates""", connection))
        await using (var rows = await read.ExecuteReaderAsync())
        {
            while (await rows.ReadAsync())
            {
                certificates[rows.GetString(0)] = (byte[])rows[1];
            }
        }

        Assert.Equal(["encryption", "signing"], certificates.Keys.Order());
        foreach (var (purpose, stored) in certificates)
        {
            // Not a PKCS#12 file: nothing to load without the key-encryption key.
            Assert.ThrowsAny<CryptographicException>(() => X509CertificateLoader.LoadPkcs12(stored, null));
            // Sealed for its own purpose only.
            Assert.ThrowsAny<CryptographicException>(() => Open(kek, stored, $"server-certificate:{(purpose == "signing" ? "encryption" : "signing")}"));

            using var certificate = X509CertificateLoader.LoadPkcs12(Open(kek, stored, $"server-certificate:{purpose}"), null, X509KeyStorageFlags.Exportable);
            using var key = certificate.GetRSAPrivateKey()!;
            var parameters = key.ExportParameters(includePrivateParameters: true);
            // Neither the private key's parts nor even the public modulus appear in the row as stored.
            foreach (var part in new[] { parameters.D!, parameters.P!, parameters.Q!, parameters.Modulus! })
            {
                Assert.Equal(-1, stored.AsSpan().IndexOf(part));
            }
        }

        var dataProtectionKeys = new List<string>();
        await using (var read = new NpgsqlCommand("""SELECT "Xml" FROM "DataProtectionKeys" """, connection))
        await using (var rows = await read.ExecuteReaderAsync())
        {
            while (await rows.ReadAsync())
            {
                dataProtectionKeys.Add(rows.GetString(0));
            }
        }

        Assert.NotEmpty(dataProtectionKeys);
        foreach (var xml in dataProtectionKeys)
        {
            // The master key is not in the row: only its sealed form.
            Assert.DoesNotContain("masterKey", xml, StringComparison.Ordinal);
            var sealedKey = XElement.Parse(xml).Descendants("sealedKey").Single();
            var opened = Encoding.UTF8.GetString(Open(kek, Convert.FromBase64String(sealedKey.Element("value")!.Value), "data-protection-key"));
            Assert.Contains("masterKey", opened, StringComparison.Ordinal);
        }
    }

    private static byte[] Open(byte[] kek, byte[] envelope, string purpose)
    {
        Assert.Equal(1, envelope[0]);
        var plaintext = new byte[envelope.Length - 29];
        using var aes = new AesGcm(kek, 16);
        aes.Decrypt(envelope.AsSpan(1, 12), envelope.AsSpan(29), envelope.AsSpan(13, 16), plaintext, Encoding.UTF8.GetBytes(purpose));
        return plaintext;
    }
}
