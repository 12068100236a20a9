using System.Text.Json;
using AlyAspire.AuthServer.Email;
using Microsoft.AspNetCore.DataProtection;

namespace AlyAspire.AuthServer.Outbox;

/// <summary>
/// Mail through the outbox: queued in the transaction of the change it announces, sent by <see cref="IEmailSender"/>
/// with retries. The message (it may carry a link token) is encrypted at rest with Data Protection and erased once sent.
/// </summary>
public sealed class MailOutbox(OutboxWriter outbox, IDataProtectionProvider protection)
{
    public const string Kind = "mail";
    internal const string ProtectionPurpose = "AlyAspire.AuthServer.Outbox.Mail";

    public void Add(EmailMessage message) =>
        outbox.Add(Kind, protection.CreateProtector(ProtectionPurpose).Protect(JsonSerializer.Serialize(message)));
}

public sealed class MailOutboxHandler(IEmailSender sender, IDataProtectionProvider protection) : IOutboxHandler
{
    public string Kind => MailOutbox.Kind;

    public bool ErasesPayloadOnDelivery => true;

    public async Task DeliverAsync(string payload, CancellationToken cancellationToken)
    {
        var message = JsonSerializer.Deserialize<EmailMessage>(protection.CreateProtector(MailOutbox.ProtectionPurpose).Unprotect(payload))
            ?? throw new InvalidOperationException("The queued mail is empty.");
        await sender.SendAsync(message, cancellationToken);
    }
}
