using AlyAspire.AuthServer.Email;

namespace AlyAspire.AuthServer.People;

/// <summary>The platform's mail to people, in plain text; links always start at <see cref="AccountOptions.PublicBaseUrl"/>.</summary>
internal static class AccountMails
{
    public static EmailMessage Verify(string to, string token, AccountOptions options) => new(to,
        "Verify your e-mail for AlyAspire",
        $"""
        Someone (we hope you) created an AlyAspire account with this address.

        To verify it, open this link within {Hours(options.VerificationLinkLifetime)}:
        {options.Link($"/account/verify?token={token}")}

        Until you do, the account cannot join workspaces or authorize apps. If it was not you, ignore this mail.
        """);

    public static EmailMessage AlreadyRegistered(string to, AccountOptions options) => new(to,
        "You already have an AlyAspire account",
        $"""
        Someone tried to create an AlyAspire account with this address, which already has one.

        If it was you, sign in: {options.Link("/account/login")}
        Forgot your password? Reset it here: {options.Link("/account/forgot-password")}

        If it was not you, nothing has changed and you can ignore this mail.
        """);

    public static EmailMessage Reset(string to, string token, AccountOptions options) => new(to,
        "Reset your AlyAspire password",
        $"""
        To choose a new password, open this link within {Hours(options.ResetLinkLifetime)}:
        {options.Link($"/account/reset-password?token={token}")}

        Setting a new password signs you out everywhere. If you did not ask for this, ignore this mail.
        """);

    public static EmailMessage Invitation(string to, string workspaceName, string role, string token, AccountOptions options) => new(to,
        $"You are invited to {workspaceName} on AlyAspire",
        $"""
        You have been invited to join the workspace "{workspaceName}" on AlyAspire as {role}.

        To accept, open this link within {Hours(options.InvitationLifetime)} and sign in (or sign up) with this e-mail address:
        {options.Link($"/invitations/accept?token={token}")}

        If you do not want to join, ignore this mail.
        """);

    private static string Hours(TimeSpan lifetime) =>
        lifetime.TotalHours >= 48 ? $"{(int)lifetime.TotalDays} days" : lifetime.TotalHours >= 1 ? $"{(int)lifetime.TotalHours} hours" : $"{(int)lifetime.TotalMinutes} minutes";
}
