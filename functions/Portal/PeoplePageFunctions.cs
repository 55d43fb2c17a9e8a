using Behorighetsportal.Directory.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Behorighetsportal.Functions.Portal;

/// <summary>The people pages (PeoplePages.Map), one trigger per route.</summary>
public sealed class PeoplePageFunctions(PeoplePages pages)
{
    [Function("ProfilePage")]
    public Task<IResult> Profile([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "min-profil")] HttpRequest request) =>
        pages.ProfileAsync(request.HttpContext, request.HttpContext.RequestAborted);

    [Function("PeopleSearchPage")]
    public Task<IResult> Search([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "personer")] HttpRequest request) =>
        pages.SearchAsync(request.HttpContext, request.HttpContext.RequestAborted);

    [Function("PersonPage")]
    public Task<IResult> Show([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "personer/{hsaId}")] HttpRequest request, string hsaId) =>
        pages.ShowAsync(request.HttpContext, hsaId, request.HttpContext.RequestAborted);
}
