using Behorighetsportal.Directory;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Behorighetsportal.Functions.Directory;

public sealed class PeopleFunctions(PeopleEndpoints people)
{
    [Function("Me")]
    public Task<IResult> Me(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/me")] HttpRequest request) =>
        people.MeAsync(request, request.HttpContext.RequestAborted);

    [Function("MyApprovals")]
    public Task<IResult> MyApprovals(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/me/approvals")] HttpRequest request) =>
        people.MyApprovalsAsync(request, request.HttpContext.RequestAborted);

    [Function("SearchIdentities")]
    public Task<IResult> SearchIdentities(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/identities")] HttpRequest request) =>
        people.SearchAsync(request, request.HttpContext.RequestAborted);

    [Function("MyAssignments")]
    public Task<IResult> MyAssignments(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/me/assignments")] HttpRequest request) =>
        people.MyAssignmentsAsync(request, request.HttpContext.RequestAborted);

    [Function("GetIdentity")]
    public Task<IResult> GetIdentity(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/identities/{hsaId}")] HttpRequest request, string hsaId) =>
        people.IdentityAsync(request, hsaId, request.HttpContext.RequestAborted);
}
