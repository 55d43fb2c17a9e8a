using Behorighetsportal.Directory;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Behorighetsportal.Functions.Directory;

public sealed class PeopleFunctions(PeopleEndpoints people)
{
    [Function("MyAssignments")]
    public Task<IResult> MyAssignments(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/assignments")] HttpRequest request) =>
        people.MyAssignmentsAsync(request, request.HttpContext.RequestAborted);

    [Function("GetIdentity")]
    public Task<IResult> GetIdentity(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "identities/{hsaId}")] HttpRequest request, string hsaId) =>
        people.IdentityAsync(request, hsaId, request.HttpContext.RequestAborted);
}
