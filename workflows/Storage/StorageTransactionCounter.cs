using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;
using Behorighetsportal.Telemetry;

namespace Behorighetsportal.Storage;

/// <summary>
/// Counts every request the portal sends to Azure Storage as <c>storage.transactions</c>, tagged with the service
/// (table or queue), the table or queue (without the name prefix) and the HTTP method — the unit Azure bills, so an
/// operator can see what the workflows cost and which table pays for it.
/// </summary>
/// <remarks>Added per retry: a retried request is billed again.</remarks>
public sealed class StorageTransactionCounter(string service, string namePrefix) : HttpPipelineSynchronousPolicy
{
    public const string InstrumentName = "storage.transactions";
    public const string ServiceTag = "storage.service";
    public const string ResourceTag = "storage.resource";
    public const string MethodTag = "http.request.method";

    private static readonly Counter<long> Transactions = PortalTelemetry.Meter.CreateCounter<long>(
        InstrumentName, "{transaction}", "Requests sent to Azure Storage (tables and queues), each a billed transaction.");

    public override void OnSendingRequest(HttpMessage message)
    {
        if (!Transactions.Enabled)
        {
            return;
        }

        Transactions.Add(1,
            new KeyValuePair<string, object?>(ServiceTag, service),
            new KeyValuePair<string, object?>(ResourceTag, Resource(message.Request.Uri.Path, namePrefix)),
            new KeyValuePair<string, object?>(MethodTag, message.Request.Method.Method));
    }

    /// <summary>
    /// The table or queue a request is for: the first path segment after the account (Azurite puts the account name
    /// first), cut at the key or sub-resource, with the prefix removed so that tests' and benchmarks' prefixed tables
    /// count under their product names.
    /// </summary>
    internal static string Resource(string path, string namePrefix)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var first = segments.Length > 1 && segments[0] == "devstoreaccount1" ? segments[1] : segments.FirstOrDefault() ?? "";
        var name = first.Split('(', '?')[0];
        if (name.StartsWith("Tables", StringComparison.Ordinal))
        {
            return "Tables";
        }

        if (name == "$batch")
        {
            return "$batch";
        }

        return namePrefix.Length > 0 && name.StartsWith(namePrefix, StringComparison.OrdinalIgnoreCase) ? name[namePrefix.Length..] : name;
    }
}
