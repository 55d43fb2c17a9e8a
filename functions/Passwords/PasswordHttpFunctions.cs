using Behorighetsportal.Passwords;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Behorighetsportal.Functions.Passwords;

public sealed class PasswordHttpFunctions(PasswordEndpoints passwords)
{
    [Function("ShowPassword")]
    public Task<IResult> ShowPassword(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/passwords/{token}")] HttpRequest request, string token) =>
        passwords.ShowAsync(request, token, request.HttpContext.RequestAborted);

    [Function("RevealPassword")]
    public Task<IResult> RevealPassword(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/passwords/{token}")] HttpRequest request, string token) =>
        passwords.RevealAsync(request, token, request.HttpContext.RequestAborted);
}
