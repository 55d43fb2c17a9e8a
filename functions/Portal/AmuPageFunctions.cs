using Behorighetsportal.Amu.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Functions.Portal;

/// <summary>The AMU page (AmuPages.Map), one trigger per route.</summary>
public sealed class AmuPageFunctions(AmuPages pages)
{
    [Function("AmuPage")]
    public Task<IResult> Show([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "amu")] HttpRequest request) =>
        pages.ShowAsync(request.HttpContext, request.HttpContext.RequestAborted);

    [Function("AmuApplyPost")]
    public Task<IResult> Apply([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "amu")] HttpRequest request, [DurableClient] DurableTaskClient durable) =>
        pages.ApplyAsync(request.HttpContext, durable, request.HttpContext.RequestAborted);
}
