namespace AlyAspire.AppHost.Hosting;

/// <summary>
/// Where the platform's mail goes. In run mode (and under the test host) smtp4dev, from the repository's dotnet tool
/// manifest, catches every message (its web UI is the "mailbox" link in the dashboard, its HTTP API is what tests
/// read); in the deployment manifest the SMTP relay is named by parameters, the password a secret.
/// </summary>
public static class PlatformMail
{
    public const string ResourceName = "smtp4dev";

    /// <summary>Points the AuthServer's <c>Email</c> options at the mail server of this run.</summary>
    public static IResourceBuilder<ProjectResource> WithPlatformMail(this IResourceBuilder<ProjectResource> service)
    {
        var builder = service.ApplicationBuilder;
        if (builder.ExecutionContext.IsPublishMode)
        {
            var host = builder.AddParameter("smtp-host");
            var port = builder.AddParameter("smtp-port");
            var username = builder.AddParameter("smtp-username");
            var password = builder.AddParameter("smtp-password", secret: true);
            var sender = builder.AddParameter("mail-from");
            return service
                .WithEnvironment("Email__SmtpHost", host)
                .WithEnvironment("Email__SmtpPort", port)
                .WithEnvironment("Email__SmtpUsername", username)
                .WithEnvironment("Email__SmtpPassword", password)
                .WithEnvironment("Email__From", sender);
        }

        var smtp4dev = builder.Resources.OfType<ExecutableResource>().FirstOrDefault(r => r.Name == ResourceName) is { } existing
            ? builder.CreateResourceBuilder(existing)
            : AddSmtp4dev(builder);
        var smtp = smtp4dev.GetEndpoint("smtp");
        // No WaitFor: mail leaves through the outbox, which retries until smtp4dev is up, so the AuthServer need not wait.
        return service
            .WithEnvironment("Email__SmtpHost", smtp.Property(EndpointProperty.Host))
            .WithEnvironment("Email__SmtpPort", smtp.Property(EndpointProperty.Port))
            .WithOpenMailboxCommand(smtp4dev);
    }

    private static IResourceBuilder<ExecutableResource> AddSmtp4dev(IDistributedApplicationBuilder builder)
    {
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var appData = Path.Combine(Path.GetTempPath(), $"alyaspire-smtp4dev-{Guid.NewGuid():N}"[..32]);
        var resource = builder.AddExecutable(ResourceName, "dotnet", repositoryRoot);
        return resource
            .WithHttpEndpoint(port: 5090, name: "http")
            .WithEndpoint(port: 2525, name: "smtp", scheme: "tcp")
            .WithArgs(context =>
            {
                // In-memory store (mail is for looking at, not for keeping), loopback only, no IMAP/POP3 on fixed ports.
                foreach (var arg in new[] { "tool", "run", "smtp4dev", "--", "--db=", "--nousersettings", "--bindaddress=127.0.0.1",
                             "--imapport=0", "--pop3port=0", "--messagestokeep=5000", $"--baseappdatapath={appData}" })
                {
                    context.Args.Add(arg);
                }

                context.Args.Add(ReferenceExpression.Create($"--urls=http://127.0.0.1:{resource.GetEndpoint("http").Property(EndpointProperty.TargetPort)}"));
                context.Args.Add(ReferenceExpression.Create($"--smtpport={resource.GetEndpoint("smtp").Property(EndpointProperty.TargetPort)}"));
            })
            .WithHttpHealthCheck("/api/messages?pageSize=1", endpointName: "http")
            .WithUrlForEndpoint("http", url => url.DisplayText = "Mailbox (smtp4dev)")
            .WithIconName("Mail");
    }
}
