using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace AlyAspire.AuthServer.Infrastructure;

/// <summary>Data-protection keys are written to authdb sealed with the <see cref="KeyEncryptionKey"/>.</summary>
internal sealed class DataProtectionKeyEncryptor(KeyEncryptionKey keyEncryptionKey) : IXmlEncryptor
{
    public const string Purpose = "data-protection-key";
    public const string ElementName = "sealedKey";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedKey = new XElement(ElementName,
            new XComment(" AES-256-GCM under the AuthServer's key-encryption key (KeyEncryption:Key) "),
            new XElement("value", Convert.ToBase64String(keyEncryptionKey.Encrypt(plaintext, Purpose))));
        return new EncryptedXmlInfo(sealedKey, typeof(DataProtectionKeyDecryptor));
    }
}

/// <summary>Opens what <see cref="DataProtectionKeyEncryptor"/> sealed (created by data protection, by type name).</summary>
public sealed class DataProtectionKeyDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var envelope = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? string.Empty);
        var plaintext = services.GetRequiredService<KeyEncryptionKey>().Decrypt(envelope, DataProtectionKeyEncryptor.Purpose);
        return XElement.Parse(Encoding.UTF8.GetString(plaintext));
    }
}

internal static class DataProtectionKeyEncryptionExtensions
{
    public static IServiceCollection AddKeyEncryption(this IServiceCollection services)
    {
        services.AddOptions<KeyEncryptionOptions>().BindConfiguration(KeyEncryptionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<KeyEncryptionKey>();
        services.AddOptions<KeyManagementOptions>().Configure<KeyEncryptionKey>((options, key) => options.XmlEncryptor = new DataProtectionKeyEncryptor(key));
        return services;
    }
}
