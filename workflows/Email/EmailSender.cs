using System.ComponentModel.DataAnnotations;
using MailKit.Net.Smtp;
using Behorighetsportal.Telemetry;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Behorighetsportal.Email;

public sealed class EmailOptions
{
    public const string SectionName = "Email";

    [Required]
    public string SmtpHost { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int SmtpPort { get; set; } = 2525;

    [Required]
    [EmailAddress]
    public string From { get; set; } = "behorighetsportal@example.vgregion.se";

    /// <summary>Credential for the Communication Services SMTP relay; empty locally.</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>STARTTLS is required by the relay in Azure; a loopback inbox has none.</summary>
    public bool UseStartTls { get; set; }
}

/// <summary>An email to one person, in Swedish (R13), with a plain-text and an HTML body.</summary>
public sealed record EmailMessage(string To, string Subject, string TextBody, string HtmlBody);

public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default);
}

/// <summary>Sends over SMTP with MailKit: the relay Azure Communication Services Email offers.</summary>
public sealed partial class SmtpEmailSender(IOptions<EmailOptions> options, ILogger<SmtpEmailSender> logger) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress("VGR behörighetsportal", settings.From));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody();

        using var activity = PortalTelemetry.StartEmail();
        try
        {
            using var client = new SmtpClient();
            await client.ConnectAsync(settings.SmtpHost, settings.SmtpPort,
                settings.UseStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, cancellationToken);
            if (!string.IsNullOrEmpty(settings.UserName))
            {
                await client.AuthenticateAsync(settings.UserName, settings.Password ?? "", cancellationToken);
            }

            await client.SendAsync(mime, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception e)
        {
            PortalTelemetry.EmailFailed(activity, e);
            throw;
        }

        PortalTelemetry.EmailSent(activity);
        LogSent(logger, message.Subject);
    }

    // The recipient is not logged: an address can name a protected identity.
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Email sent: {Subject}")]
    private static partial void LogSent(ILogger logger, string subject);
}
