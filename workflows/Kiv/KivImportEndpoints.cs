using System.Text.Json;
using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Kiv;

public sealed record KivImportAccepted(string ImportId, KivImportStatus Status, string Progress);

/// <summary>
/// POST /api/kiv/import (integration key) and GET /api/kiv/imports/{id}: a batch is validated whole — a bad row
/// refuses all of it, naming the row and the reason — then stored and processed durably; the answer says where to
/// follow progress. Large batches (the region's ~55 000 people) fit one request; KiV may also send them in pages.
/// </summary>
public sealed class KivImportEndpoints(CallerReader callers, DirectoryRepository directory, KivImportRepository imports, AuditLog audit, TimeProvider clock)
{
    /// <summary>Enough for the whole region in one batch (about 25 MB of JSON).</summary>
    public const long MaxBatchBytes = 128L * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IResult> ImportAsync(HttpRequest request, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        if (!callers.IsIntegration(request))
        {
            return Problems.IntegrationKeyMissing();
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBatchBytes;
        }

        KivBatch? batch;
        try
        {
            batch = await JsonSerializer.DeserializeAsync<KivBatch>(request.Body, Json, cancellationToken);
        }
        catch (Exception e) when (e is JsonException or BadHttpRequestException or NotSupportedException)
        {
            batch = null;
        }

        if (batch is null || (batch.OrgUnits is null && batch.Identities is null && batch.Engagements is null))
        {
            return Problems.BadRequest("Batchen kunde inte läsas",
                "Skicka ett JSON-objekt med orgUnits, identities och/eller engagements, formade som i demo/organization.json men med absoluta startDate/endDate.");
        }

        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        var known = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var hsaId in ReferencedPeople(batch))
        {
            known[hsaId] = await directory.GetIdentityAsync(hsaId, cancellationToken) is not null;
        }

        var (valid, errors) = KivBatchValidator.Validate(batch, tree, hsaId => known.GetValueOrDefault(hsaId));
        if (valid is null)
        {
            return Problems.BadRequest("Batchen innehåller fel och har inte lagrats",
                $"{errors.Count} rad(er) är felaktiga; ingenting av batchen har lagrats. Rätta raderna och skicka hela batchen igen. Första felet: {errors[0].Section}[{errors[0].Row}] {errors[0].Id}: {errors[0].Reason}",
                errors.GroupBy(e => $"{e.Section}[{e.Row}]").ToDictionary(g => g.Key, g => g.Select(e => $"{e.Id}: {e.Reason}").ToArray()));
        }

        var importId = "KIV-" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        var now = clock.GetUtcNow();
        var chunks = await imports.StoreAsync(importId, valid, now, cancellationToken);
        await audit.AppendAsync(new AuditEntry(importId, now, "KivImportAccepted", "KiV",
            $"{valid.OrgUnits.Count} enheter, {valid.Identities.Count} identiteter, {valid.Engagements.Count} engagemang"), cancellationToken);
        await durable.ScheduleNewOrchestrationInstanceAsync(nameof(KivImportOrchestrator), new KivImportInput(importId, chunks),
            new StartOrchestrationOptions(importId), cancellationToken);

        var progress = "/api/kiv/imports/" + importId;
        request.HttpContext.Response.Headers.Location = progress;
        return Results.Json(new KivImportAccepted(importId, KivImportStatus.Accepted, progress), JsonBody.Options, statusCode: StatusCodes.Status202Accepted);
    }

    public async Task<IResult> ProgressAsync(HttpRequest request, string importId, CancellationToken cancellationToken)
    {
        if (!callers.IsIntegration(request))
        {
            return Problems.IntegrationKeyMissing();
        }

        var progress = importId.Length <= 64 ? await imports.GetAsync(importId, cancellationToken) : null;
        return progress is null
            ? Problems.NotFound("Importen finns inte", $"Det finns ingen import med id {importId}.")
            : Results.Json(progress, JsonBody.Options);
    }

    /// <summary>People the batch refers to but does not carry: they must exist already.</summary>
    private static IEnumerable<string> ReferencedPeople(KivBatch batch)
    {
        var carried = (batch.Identities ?? []).Select(i => i?.HsaId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return (batch.Engagements ?? []).SelectMany(e => new[] { e?.HsaId, e?.ManagerHsaId }).OfType<string>()
            .Where(id => id.Length <= 64 && !carried.Contains(id)).Distinct(StringComparer.Ordinal).Take(100_000);
    }
}
