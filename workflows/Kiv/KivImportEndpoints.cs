using System.Globalization;
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
/// POST /api/kiv/import and GET /api/kiv/imports/{id}, with KiV's key (Marknadsplatsen's is refused): a batch is
/// validated whole — a bad row refuses all of it, naming the row and the reason — then stored and processed durably; the answer says where to
/// follow progress. Large batches (the region's ~55 000 people) fit one request, or come in pages:
/// <c>?importId=X&amp;page=n</c>, the last with <c>&amp;lastPage=true</c>. Pages are kept as they come (in any order;
/// a page sent again with the same content changes nothing) and nothing of them is applied until every page up to
/// the last is in; then they are validated together, as one batch, and processed — or refused whole, naming the
/// page, the row and the reason.
/// </summary>
public sealed class KivImportEndpoints(CallerReader callers, SameOriginPolicy origins, DirectoryRepository directory, KivImportRepository imports, AuditLog audit, TimeProvider clock)
{
    /// <summary>Enough for the whole region in one batch (about 25 MB of JSON).</summary>
    public const long MaxBatchBytes = 128L * 1024 * 1024;

    /// <summary>Pages one import may have.</summary>
    public const int MaxPages = 10_000;

    /// <summary>A closing request that has not finished in this time is taken to have died; a repeated page may close again.</summary>
    private static readonly TimeSpan CloseClaimExpires = TimeSpan.FromMinutes(10);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IResult> ImportAsync(HttpRequest request, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        if (origins.IsCrossSite(request))
        {
            return Problems.CrossSite();
        }

        if (callers.RefuseUnless(request, IntegrationSystem.Kiv) is { } refused)
        {
            return refused;
        }

        if (JsonBody.ContentTypeProblem(request, readsBody: true) is { } wrongType)
        {
            return wrongType;
        }

        if (request.ContentLength > MaxBatchBytes)
        {
            return TooLarge();
        }

        var (paging, pagingProblem) = ReadPaging(request.Query);
        if (pagingProblem is not null)
        {
            return pagingProblem;
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBatchBytes;
        }

        KivBatch? batch;
        try
        {
            batch = await JsonSerializer.DeserializeAsync<KivBatch>(new BoundedStream(request.Body, MaxBatchBytes), Json, cancellationToken);
        }
        catch (Exception e) when (e is BodyTooLargeException || (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }))
        {
            return TooLarge();
        }
        catch (Exception e) when (e is JsonException or BadHttpRequestException or NotSupportedException)
        {
            batch = null;
        }

        if (batch is null || (batch.OrgUnits is null && batch.Identities is null && batch.Engagements is null))
        {
            return Problems.BadRequest(paging is null ? "Batchen kunde inte läsas" : $"Sidan {paging.Page} kunde inte läsas",
                "Skicka ett JSON-objekt med orgUnits, identities och/eller engagements, formade som i demo/organization.json men med absoluta startDate/endDate.");
        }

        return paging is null
            ? await ValidateAndStartAsync(request, durable, "KIV-" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant(), [batch], lastPage: null, cancellationToken)
            : await ReceivePageAsync(request, durable, paging, batch, cancellationToken);
    }

    public async Task<IResult> ProgressAsync(HttpRequest request, string importId, CancellationToken cancellationToken)
    {
        if (callers.RefuseUnless(request, IntegrationSystem.Kiv) is { } refused)
        {
            return refused;
        }

        var progress = importId.Length <= 64 ? await imports.GetAsync(importId, cancellationToken) : null;
        return progress is null
            ? Problems.NotFound("Importen finns inte", $"Det finns ingen import med id {importId}.")
            : Results.Json(progress, JsonBody.Options);
    }

    private static Refusal TooLarge() => Problems.TooLarge(MaxBatchBytes, "Skicka batchen i sidor (importId, page, lastPage) enligt API-dokumentationen.");

    private sealed record Paging(string ImportId, int Page, bool LastPage);

    /// <summary>The paging query: none of importId, page and lastPage (one request), or importId and page (lastPage optional).</summary>
    private static (Paging? Paging, IResult? Problem) ReadPaging(IQueryCollection query)
    {
        if (!query.ContainsKey("importId") && !query.ContainsKey("page") && !query.ContainsKey("lastPage"))
        {
            return (null, null);
        }

        var errors = new Dictionary<string, string[]>();
        string? importId = query["importId"];
        if (KivImportIds.Problem(importId) is { } badId)
        {
            errors["importId"] = [badId];
        }

        if (!int.TryParse(query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var page) || page < 1 || page > MaxPages)
        {
            errors["page"] = [$"Ange page: sidans nummer, 1–{MaxPages}."];
        }

        var lastPage = false;
        if (query.ContainsKey("lastPage") && !bool.TryParse(query["lastPage"], out lastPage))
        {
            errors["lastPage"] = ["lastPage är true eller false."];
        }

        return errors.Count > 0
            ? (null, Problems.BadRequest("Sidindelningen är felaktig", "Rätta frågeparametrarna och skicka sidan igen: " + string.Join(" ", errors.Values.SelectMany(v => v)), errors))
            : (new Paging(importId!, page, lastPage), null);
    }

    /// <summary>
    /// Keeps a page of a paged import, notes the last page, and once every page up to the last is in, validates
    /// them together and starts the import (whichever page completes the set does this, once).
    /// </summary>
    private async Task<IResult> ReceivePageAsync(HttpRequest request, DurableTaskClient durable, Paging paging, KivBatch batch, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var session = await imports.GetSessionAsync(paging.ImportId, cancellationToken);
        if (session is null && await imports.OpenSessionAsync(paging.ImportId, now, cancellationToken))
        {
            await audit.AppendAsync(new AuditEntry(paging.ImportId, now, "KivImportOpened", "KiV", "Sidindelad import påbörjad"), cancellationToken);
        }

        session ??= await imports.GetSessionAsync(paging.ImportId, cancellationToken);
        if (session is null || !session.Paged)
        {
            return Problems.Conflict("Import-id:t används redan",
                $"Det finns redan en import med id {paging.ImportId} som inte skickades i sidor. Välj ett nytt importId.");
        }

        var json = JsonSerializer.Serialize(batch, Json);
        if (session.Status != KivImportStatus.Receiving)
        {
            // Closed: a page sent again (its answer was lost) gets the same answer; anything else is refused.
            return session.Status != KivImportStatus.Failed && await imports.ComparePageAsync(paging.ImportId, paging.Page, json, cancellationToken) == KivPageStored.Repeated
                ? Accepted(request, paging.ImportId, session.Status)
                : Problems.Conflict(session.Status == KivImportStatus.Failed ? "Importen har avvisats" : "Importen är redan stängd",
                    $"Importen {paging.ImportId} tar inte emot fler sidor{(session.Error is null ? "." : ": " + session.Error)} Skicka en ny import med ett nytt importId.");
        }

        if (session.LastPage is { } last && paging.Page > last)
        {
            return Problems.Conflict("Sidan ligger efter sista sidan", $"Sida {last} är sista sidan i importen {paging.ImportId}; sida {paging.Page} tas inte emot.");
        }

        if (await imports.StorePageAsync(paging.ImportId, paging.Page, json, cancellationToken) == KivPageStored.Different)
        {
            return Problems.Conflict("Sidan har redan tagits emot med annat innehåll",
                $"Sida {paging.Page} av importen {paging.ImportId} finns redan med annat innehåll. En sida ändras inte efter att den tagits emot; skicka om hela importen med ett nytt importId.");
        }

        if (paging.LastPage && !await imports.SetLastPageAsync(paging.ImportId, paging.Page, cancellationToken))
        {
            var named = (await imports.GetSessionAsync(paging.ImportId, cancellationToken))?.LastPage;
            return Problems.Conflict("En annan sida är redan sista sidan", $"Sida {named} är redan angiven som sista sida i importen {paging.ImportId}.");
        }

        var lastPage = paging.LastPage ? paging.Page : (await imports.GetSessionAsync(paging.ImportId, cancellationToken))?.LastPage;
        var pages = await imports.ListPagesAsync(paging.ImportId, cancellationToken);
        if (lastPage is null || pages.Count(p => p.Page <= lastPage) < lastPage
            || !await imports.TryClaimCloseAsync(paging.ImportId, clock.GetUtcNow(), CloseClaimExpires, cancellationToken))
        {
            return Accepted(request, paging.ImportId, KivImportStatus.Receiving);
        }

        IResult result;
        try
        {
            List<KivBatch> batches = [];
            foreach (var page in pages.Where(p => p.Page <= lastPage))
            {
                batches.Add(JsonSerializer.Deserialize<KivBatch>(await imports.ReadPageAsync(paging.ImportId, page, cancellationToken), Json)!);
            }

            result = await ValidateAndStartAsync(request, durable, paging.ImportId, batches, lastPage, cancellationToken);
        }
        catch
        {
            await imports.ReleaseCloseAsync(paging.ImportId, CancellationToken.None);
            throw;
        }

        // The pages are in chunks now (or refused); their heads stay, so that a page sent again is recognised.
        await imports.DeletePageDataAsync(paging.ImportId, cancellationToken);
        return result;
    }

    /// <summary>
    /// Validates the pages (one, for a batch in one request) as one batch; refuses all of it on a bad row, naming the
    /// row (and its page), or stores it in chunks and starts its processing.
    /// </summary>
    private async Task<IResult> ValidateAndStartAsync(
        HttpRequest request, DurableTaskClient durable, string importId, List<KivBatch> pages, int? lastPage, CancellationToken cancellationToken)
    {
        var batch = pages.Count == 1 ? pages[0] : new KivBatch(
            pages.SelectMany(p => p.OrgUnits ?? []).ToList(), pages.SelectMany(p => p.Identities ?? []).ToList(), pages.SelectMany(p => p.Engagements ?? []).ToList());
        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        var known = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var hsaId in ReferencedPeople(batch))
        {
            known[hsaId] = await directory.GetIdentityAsync(hsaId, cancellationToken) is not null;
        }

        var now = clock.GetUtcNow();
        var (valid, errors) = KivBatchValidator.Validate(batch, tree, hsaId => known.GetValueOrDefault(hsaId), StockholmTime.DateOn(now));
        if (valid is null)
        {
            if (lastPage is null)
            {
                return Problems.BadRequest("Batchen innehåller fel och har inte lagrats",
                    $"{errors.Count} rad(er) är felaktiga; ingenting av batchen har lagrats. Rätta raderna och skicka hela batchen igen. Första felet: {errors[0].Path} {errors[0].Id}: {errors[0].Reason}",
                    errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => $"{e.Id}: {e.Reason}").ToArray()));
            }

            var located = errors.Select(e => (Error: e, Where: Locate(pages, e))).ToList();
            var first = located[0];
            var summary = $"Sida {first.Where.Page}, {first.Where.Path} {first.Error.Id}: {first.Error.Reason}";
            await imports.CompleteAsync(importId, KivImportStatus.Failed, summary, now, cancellationToken);
            await audit.AppendAsync(new AuditEntry(importId, now, "KivImportRefused", "KiV", $"{errors.Count} felaktiga rader. Första felet: {summary}"), cancellationToken);
            return Problems.BadRequest("Importen innehåller fel och har inte lagrats",
                $"{errors.Count} rad(er) är felaktiga; ingenting av importen {importId} har lagrats i katalogen. Rätta raderna och skicka om hela importen med ett nytt importId. Första felet: {summary}",
                located.GroupBy(l => $"pages[{l.Where.Page}].{l.Where.Path}").ToDictionary(g => g.Key, g => g.Select(l => $"{l.Error.Id}: {l.Error.Reason}").ToArray()));
        }

        var chunks = await imports.StoreAsync(importId, valid, now, cancellationToken, lastPage);
        await audit.AppendAsync(new AuditEntry(importId, now, "KivImportAccepted", "KiV",
            $"{valid.OrgUnits.Count} enheter, {valid.Identities.Count} identiteter, {valid.Engagements.Count} engagemang" + (lastPage is { } n ? $" i {n} sidor" : "")), cancellationToken);
        await durable.ScheduleNewOrchestrationInstanceAsync(nameof(KivImportOrchestrator), new KivImportInput(importId, chunks),
            new StartOrchestrationOptions(importId), cancellationToken);
        return Accepted(request, importId, KivImportStatus.Accepted);
    }

    private static IResult Accepted(HttpRequest request, string importId, KivImportStatus status)
    {
        var progress = "/api/kiv/imports/" + importId;
        request.HttpContext.Response.Headers.Location = progress;
        return Results.Json(new KivImportAccepted(importId, status, progress), JsonBody.Options, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>The page (from 1) of a row of the pages put together, and the error's path within that page.</summary>
    private static (int Page, string Path) Locate(List<KivBatch> pages, KivRowError error)
    {
        var row = error.Row;
        for (var i = 0; i < pages.Count; i++)
        {
            var count = error.Section switch
            {
                "orgUnits" => pages[i].OrgUnits?.Count ?? 0,
                "identities" => pages[i].Identities?.Count ?? 0,
                _ => pages[i].Engagements?.Count ?? 0,
            };
            if (row < count)
            {
                return (i + 1, (error with { Row = row }).Path);
            }

            row -= count;
        }

        return (pages.Count, (error with { Row = row }).Path);
    }

    /// <summary>People the batch refers to but does not carry: they must exist already.</summary>
    private static IEnumerable<string> ReferencedPeople(KivBatch batch)
    {
        var carried = (batch.Identities ?? []).Select(i => i?.HsaId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return (batch.Engagements ?? []).SelectMany(e => new[] { e?.HsaId, e?.ManagerHsaId }).OfType<string>()
            .Where(id => id.Length <= 64 && !carried.Contains(id)).Distinct(StringComparer.Ordinal).Take(100_000);
    }
}
