using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Requests;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Behorighetsportal.Tests.Requests;

/// <summary>
/// The steps of an orderer-role order (R9) and an AMU application (R11) as people take them over HTTP, and the
/// reads the tests check them with (stored request, audit log, assignments, approvals, search), so the tests read
/// like the process.
/// </summary>
internal static class RequestFlow
{
    public const string GunillaEmail = "gunilla.granath@example.vgregion.se";
    public const string AnnaEmail = "anna.andersson@example.vgregion.se";
    public const string BertilEmail = "bertil.berg@example.vgregion.se";
    public const string DaliaEmail = "dalia.dahl@example.vgregion.se";
    public const string EvaEmail = "eva.ek@example.vgregion.se";
    public const string FredrikEmail = "fredrik.falk@example.vgregion.se";
    public const string ApprovalLinkPrefix = "http://localhost/api/approvals/";

    public const string SchemaGroup = "AMU-SU-AKUT-SCHEMA";
    public const string SchemaGroupName = "Schemaläggare Akutmottagningen";
    public const string MedicineGroup = "AMU-SU-MED-LAKEMEDEL";
    public const string MedicineGroupName = "Läkemedelsansvariga Medicinkliniken";

    public const string OrdererRoleApprovalSubject = "Beställning av beställarroll väntar på ditt godkännande";
    public const string AmuApprovalSubject = "AMU-ansökan väntar på ditt godkännande";

    /// <summary>A list of ids for a request body (params, so no array constant per call).</summary>
    public static string[] Ids(params string[] ids) => ids;

    public static DateOnly Today => StockholmTime.Today(TimeProvider.System);

    public static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The tests reason in whole Swedish days; within two minutes of midnight they wait for the new day.</summary>
    public static async Task AwayFromMidnightAsync()
    {
        var now = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, StockholmTime.Zone);
        var untilMidnight = now.Date.AddDays(1) - now.DateTime;
        if (untilMidnight < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(untilMidnight + TimeSpan.FromSeconds(2));
        }
    }

    public static async Task<HttpResponseMessage> OrderRoleAsync(PortalApp app, string? caller, object body)
    {
        using var client = app.As(caller);
        return await client.PostAsJsonAsync("/api/orderer-roles", body);
    }

    /// <summary>POST /api/orderer-roles; asserts 202 and returns the body (orderId, status, orgUnitIds).</summary>
    public static async Task<JsonElement> OrderRoleAcceptedAsync(PortalApp app, string caller, object body)
    {
        using var response = await OrderRoleAsync(app, caller, body);
        return await AcceptedAsync(response);
    }

    public static async Task<HttpResponseMessage> ApplyAsync(PortalApp app, string? caller, object body)
    {
        using var client = app.As(caller);
        return await client.PostAsJsonAsync("/api/amu-applications", body);
    }

    /// <summary>POST /api/amu-applications; asserts 202 and returns the body (applicationId, status, requests).</summary>
    public static async Task<JsonElement> ApplyAcceptedAsync(PortalApp app, string caller, params string[] groupIds)
    {
        using var response = await ApplyAsync(app, caller, new { groupIds, motivation = "Behövs för mitt arbete" });
        return await AcceptedAsync(response);
    }

    /// <summary>The request id created for one group of an AMU application.</summary>
    public static string RequestFor(JsonElement application, string groupId) =>
        application.GetProperty("requests").EnumerateArray().Single(r => r.GetProperty("groupId").GetString() == groupId).GetProperty("requestId").GetString()!;

    public static AccessRequestRepository Requests(PortalApp app) => app.Services.GetRequiredService<AccessRequestRepository>();

    public static async Task<AccessRequest> GetAsync(PortalApp app, string subjectId, string requestId) =>
        await Requests(app).GetAsync(subjectId, requestId) ?? throw new InvalidOperationException($"Request {requestId} is not stored.");

    /// <summary>Polls the stored request until it has the status (or fails naming the one it has).</summary>
    public static async Task<AccessRequest> WaitForStatusAsync(PortalApp app, string subjectId, string requestId, AccessRequestStatus status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        AccessRequest current;
        do
        {
            current = await GetAsync(app, subjectId, requestId);
            if (current.Status == status)
            {
                return current;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"Request {requestId} did not reach {status}; it is {current.Status}.");
        return current;
    }

    /// <summary>Waits until the request's lifecycle has finished (granted for good, rejected, expired or ended).</summary>
    public static async Task<AccessRequestStatus> WaitForCompletionAsync(PortalApp app, string requestId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var instance = await app.Durable.WaitForInstanceCompletionAsync(requestId, getInputsAndOutputs: true, timeout.Token);
        Assert.True(instance.RuntimeStatus == Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed,
            $"{requestId}: {instance.RuntimeStatus} {instance.FailureDetails?.ErrorMessage}");
        return instance.ReadOutputAs<AccessRequestStatus>();
    }

    /// <summary>The approval email to <paramref name="to"/> whose link is about this request.</summary>
    public static Task<ReceivedEmail> ApprovalEmailAsync(PortalApp app, string to, string subjectId, string requestId, TimeSpan? timeout = null) =>
        app.Inbox.WaitForAsync(m => m.To == to && m.Text.Contains("/api/approvals/", StringComparison.Ordinal)
            && OrderFlow.TokenSubject(m.Link(ApprovalLinkPrefix)) == subjectId + "|" + requestId, timeout);

    public static async Task<string> ApprovalLinkAsync(PortalApp app, string to, string subjectId, string requestId) =>
        (await ApprovalEmailAsync(app, to, subjectId, requestId)).Link(ApprovalLinkPrefix);

    public static IReadOnlyList<ReceivedEmail> ApprovalEmailsFor(PortalApp app, string subjectId, string requestId) =>
        app.Inbox.Messages.Where(m => m.Text.Contains(ApprovalLinkPrefix, StringComparison.Ordinal)
            && OrderFlow.TokenSubject(m.Link(ApprovalLinkPrefix)) == subjectId + "|" + requestId).ToList();

    public static async Task<HttpResponseMessage> OpenLinkAsync(PortalApp app, string caller, string link)
    {
        using var client = app.As(caller);
        return await client.GetAsync(new Uri(link).PathAndQuery);
    }

    public static async Task<HttpResponseMessage> DecideAsync(PortalApp app, string caller, string link, string decision)
    {
        using var client = app.As(caller);
        return await PageForm.SubmitAsync(client, new Uri(link).PathAndQuery, ("decision", decision));
    }

    public static Task<IReadOnlyList<AuditEntry>> AuditAsync(PortalApp app, string subject) =>
        app.Services.GetRequiredService<AuditLog>().ReadAsync(subject);

    public static async Task<IReadOnlyList<Assignment>> AssignmentsAsync(PortalApp app, string hsaId)
    {
        using var client = app.As(hsaId);
        using var response = await client.GetAsync("/api/me/assignments");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /api/me/assignments: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<List<Assignment>>(body, JsonBody.Options)!;
    }

    /// <summary>The person's orderer-role ("Beställare (SDA)") assignments, from GET /api/me/assignments.</summary>
    public static async Task<IReadOnlyList<Assignment>> OrdererRolesAsync(PortalApp app, string hsaId) =>
        (await AssignmentsAsync(app, hsaId)).Where(a => a.Resource == PeopleEndpoints.OrdererResource).ToList();

    public static async Task<(HttpStatusCode Status, string Body, IReadOnlyList<ApprovalItem> Items)> ApprovalsAsync(PortalApp app, string hsaId)
    {
        using var client = app.As(hsaId);
        using var response = await client.GetAsync("/api/me/approvals");
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body, response.StatusCode == HttpStatusCode.OK ? JsonSerializer.Deserialize<List<ApprovalItem>>(body, JsonBody.Options)! : []);
    }

    public static async Task<(HttpStatusCode Status, string Body, IReadOnlyList<IdentitySummary> Found)> SearchAsync(PortalApp app, string hsaId, string q)
    {
        using var client = app.As(hsaId);
        using var response = await client.GetAsync("/api/identities?q=" + Uri.EscapeDataString(q));
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body, response.StatusCode == HttpStatusCode.OK ? JsonSerializer.Deserialize<List<IdentitySummary>>(body, JsonBody.Options)! : []);
    }

    public static async Task<HttpResponseMessage> GetIdentityAsync(PortalApp app, string caller, string hsaId)
    {
        using var client = app.As(caller);
        return await client.GetAsync($"/api/identities/{hsaId}");
    }

    /// <summary>POST /api/delegations, then waits until the deputy holds the manager's role (R8).</summary>
    public static async Task DelegateAsync(PortalApp app, string manager, string deputy)
    {
        using var client = app.As(manager);
        using var response = await client.PostAsJsonAsync("/api/delegations", new { delegateId = deputy, validFrom = Date(Today), validTo = Date(Today.AddDays(7)) });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/delegations: {(int)response.StatusCode} {body}");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await app.Services.GetRequiredService<CallerResolver>().ResolveAsync(deputy, CancellationToken.None))!.DelegatedManagers.Contains(manager))
        {
            Assert.True(DateTime.UtcNow < deadline, $"The delegation from {manager} to {deputy} did not start.");
            await Task.Delay(100);
        }
    }

    private static async Task<JsonElement> AcceptedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
