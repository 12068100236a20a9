using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AlyAspire.AuthServer.Email;

/// <summary>A plain-text message to one person.</summary>
public sealed record EmailMessage(string To, string Subject, string Body);

/// <summary>Sends mail now; callers go through the outbox (<see cref="Outbox.MailOutbox"/>), which retries.</summary>
public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}

/// <summary>Delivers over SMTP with MailKit: one connection per message (mail is rare; a pool would idle).</summary>
public sealed class SmtpEmailSender(IOptions<EmailOptions> options) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(settings.FromName, settings.From));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.Body = new TextPart("plain") { Text = message.Body };

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        using var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        var hasCredentials = !string.IsNullOrEmpty(settings.SmtpUsername);
        var security = settings.RequireTls || hasCredentials ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable;
        await client.ConnectAsync(settings.SmtpHost, settings.SmtpPort, security, timeout.Token);
        if (hasCredentials)
        {
            await client.AuthenticateAsync(settings.SmtpUsername!, settings.SmtpPassword ?? string.Empty, timeout.Token);
        }

        await client.SendAsync(mime, timeout.Token);
        await client.DisconnectAsync(quit: true, timeout.Token);
    }
}
