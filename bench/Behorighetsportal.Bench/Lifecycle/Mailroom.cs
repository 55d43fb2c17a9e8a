using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MimeKit;
using netDumbster.smtp;

namespace Behorighetsportal.Bench.Lifecycle;

/// <summary>
/// A real SMTP server on loopback that hands each approval and password link to whoever waits for it, by the order
/// id the link's token is about — as the manager's inbox would, without rereading every email received so far.
/// </summary>
internal sealed class Mailroom : IDisposable
{
    private readonly SimpleSmtpServer _server;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _links = new();

    public Mailroom(int port)
    {
        _server = SimpleSmtpServer.Start(port);
        Port = port;
        _server.MessageReceived += (_, e) => Deliver(e.Message);
    }

    public int Port { get; }

    public Task<string> ApprovalLinkAsync(string orderId) => Slot("/api/approvals/", orderId).Task;

    public Task<string> PasswordLinkAsync(string orderId) => Slot("/api/passwords/", orderId).Task;

    private TaskCompletionSource<string> Slot(string kind, string orderId) =>
        _links.GetOrAdd(kind + orderId, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));

    private void Deliver(SmtpMessage message)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(message.Data));
        var text = MimeMessage.Load(stream).TextBody ?? "";
        foreach (var kind in (string[])["/api/approvals/", "/api/passwords/"])
        {
            var start = text.IndexOf(kind, StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            var end = text.IndexOfAny([' ', '\n', '\r'], start);
            var path = end < 0 ? text[start..] : text[start..end];
            Slot(kind, TokenSubject(path)).TrySetResult(path);
        }

        _server.ClearReceivedEmail();
    }

    /// <summary>The id a link token is about: its payload (before the signature) is readable base64url JSON; only the signature is secret.</summary>
    private static string TokenSubject(string path)
    {
        var token = path[(path.LastIndexOf('/') + 1)..].Split('.')[^2].Replace('-', '+').Replace('_', '/');
        token += new string('=', (4 - token.Length % 4) % 4);
        return JsonDocument.Parse(Convert.FromBase64String(token)).RootElement.GetProperty("s").GetString()!;
    }

    public void Dispose() => _server.Stop();
}
