using Behorighetsportal.Passwords.Pages;
using Behorighetsportal.Portal;
using Behorighetsportal.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Behorighetsportal.Functions.Portal;

/// <summary>The portal's pages (API.md "Pages"), behind App Service Authentication like the JSON routes.</summary>
public sealed class PageFunctions(StartPages start, PasswordPages passwords)
{
    // "{ignored:maxlength(0)?}" is how a Functions HTTP trigger answers the site's root with an empty route prefix.
    [Function("StartPage")]
    public Task<IResult> StartPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "{ignored:maxlength(0)?}")] HttpRequest request) =>
        start.ShowAsync(request.HttpContext, request.HttpContext.RequestAborted);

    [Function("Asset")]
    public IResult Asset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assets/{name}")] HttpRequest request, string name) =>
        AssetEndpoints.Get(name);

    [Function("PasswordsPage")]
    public Task<IResult> PasswordsPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "losenord")] HttpRequest request) =>
        passwords.ListAsync(request.HttpContext, request.HttpContext.RequestAborted);
}
