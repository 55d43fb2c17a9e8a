using System.Net;
using System.Net.Sockets;
using MimeKit;
using netDumbster.smtp;

namespace Behorighetsportal.Tests.Infrastructure;

/// <summary>A received email, parsed with MimeKit.</summary>
public sealed record ReceivedEmail(string To, string Subject, string Text, string Html)
{
    /// <summary>The first link in the text body that starts with the given prefix.</summary>
    public string Link(string prefix)
    {
        var start = Text.IndexOf(prefix, StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"No link starting with {prefix} in email '{Subject}':\n{Text}");
        }

        var end = Text.IndexOfAny([' ', '\n', '\r'], start);
        return end < 0 ? Text[start..] : Text[start..end];
    }
}

/// <summary>A real SMTP server on loopback (netDumbster), on a free port, for one test.</summary>
public sealed class SmtpInbox : IDisposable
{
    private readonly SimpleSmtpServer _server;

    public SmtpInbox()
        : this(FreePort())
    {
    }

    /// <summary>An inbox on a given port: a test that first plays a relay that is down hands the port over.</summary>
    public SmtpInbox(int port)
    {
        Port = port;
        _server = SimpleSmtpServer.Start(Port);
    }

    public int Port { get; }

    /// <summary>
    /// What has arrived so far. netDumbster's list is not safe to read while a message is being added, so a read
    /// that meets one in flight is simply made again.
    /// </summary>
    public IReadOnlyList<ReceivedEmail> Messages
    {
        get
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return _server.ReceivedEmail.Select(Parse).ToList();
                }
                catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidOperationException && attempt < 20)
                {
                    Thread.Sleep(10);
                }
            }
        }
    }

    public IReadOnlyList<ReceivedEmail> To(string address) =>
        Messages.Where(m => string.Equals(m.To, address, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>Waits until an email matching the filter has arrived.</summary>
    public async Task<ReceivedEmail> WaitForAsync(Func<ReceivedEmail, bool> filter, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            var found = Messages.FirstOrDefault(filter);
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("No matching email arrived. Received: " + string.Join(" | ", Messages.Select(m => $"{m.To}: {m.Subject}")));
    }

    public void Dispose() => _server.Stop();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ReceivedEmail Parse(SmtpMessage message)
    {
        // netDumbster keeps DATA as it came, dot-stuffing included: a line the client sent starting with "." (RFC 5321
        // 4.5.2) arrives as "..", and a link whose quoted-printable line break falls just before a dot would read "..".
        var data = string.Join("\r\n", message.Data.Split("\r\n").Select(line => line.StartsWith('.') ? line[1..] : line));
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(data));
        var mime = MimeMessage.Load(stream);
        return new ReceivedEmail(mime.To.Mailboxes.First().Address, mime.Subject ?? "", mime.TextBody ?? "", mime.HtmlBody ?? "");
    }
}
