using Behorighetsportal.Amu;
using Behorighetsportal.Delegations;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Kiv;
using Behorighetsportal.OrdererRoles;
using Behorighetsportal.Orders;
using Behorighetsportal.Passwords;
using Behorighetsportal.Policies;
using Behorighetsportal.Portal;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.DevHost;

/// <summary>The routes of API.md, each bound to the same handler the Functions app calls.</summary>
public static class PortalRoutesMapping
{
    public static void MapPortalRoutes(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/health", (HealthEndpoints h, DurableTaskClient d, CancellationToken ct) => h.CheckAsync(d, ct));

        api.MapPost("/orders", (HttpRequest r, OrderEndpoints h, DurableTaskClient d, CancellationToken ct) => h.PlaceAsync(r, d, ct));
        api.MapGet("/orders/{orderId}", (HttpRequest r, string orderId, OrderEndpoints h, CancellationToken ct) => h.GetAsync(r, orderId, ct));
        api.MapPost("/orders/{orderId}/cancel", (HttpRequest r, string orderId, OrderEndpoints h, DurableTaskClient d, CancellationToken ct) => h.CancelAsync(r, orderId, d, ct));

        api.MapGet("/approvals/{token}", (HttpRequest r, string token, ApprovalEndpoints h, CancellationToken ct) => h.ShowAsync(r, token, ct));
        api.MapPost("/approvals/{token}", (HttpRequest r, string token, ApprovalEndpoints h, DurableTaskClient d, CancellationToken ct) => h.DecideAsync(r, token, d, ct));
        api.MapPost("/attestations/{orderId}", (HttpRequest r, string orderId, AttestationEndpoints h, DurableTaskClient d, CancellationToken ct) => h.AttestAsync(r, orderId, d, ct));

        api.MapGet("/passwords/{token}", (HttpRequest r, string token, PasswordEndpoints h, CancellationToken ct) => h.ShowAsync(r, token, ct));
        api.MapPost("/passwords/{token}", (HttpRequest r, string token, PasswordEndpoints h, CancellationToken ct) => h.RevealAsync(r, token, ct));

        api.MapGet("/me", (HttpRequest r, PeopleEndpoints h, CancellationToken ct) => h.MeAsync(r, ct));
        api.MapGet("/me/approvals", (HttpRequest r, PeopleEndpoints h, CancellationToken ct) => h.MyApprovalsAsync(r, ct));
        api.MapGet("/identities", (HttpRequest r, PeopleEndpoints h, CancellationToken ct) => h.SearchAsync(r, ct));
        api.MapGet("/me/assignments", (HttpRequest r, PeopleEndpoints h, CancellationToken ct) => h.MyAssignmentsAsync(r, ct));
        api.MapGet("/identities/{hsaId}", (HttpRequest r, string hsaId, PeopleEndpoints h, CancellationToken ct) => h.IdentityAsync(r, hsaId, ct));

        api.MapPost("/delegations", (HttpRequest r, DelegationEndpoints h, DurableTaskClient d, CancellationToken ct) => h.CreateAsync(r, d, ct));
        api.MapGet("/delegations", (HttpRequest r, DelegationEndpoints h, CancellationToken ct) => h.ListAsync(r, ct));
        api.MapPost("/orderer-roles", (HttpRequest r, OrdererRoleEndpoints h, DurableTaskClient d, CancellationToken ct) => h.OrderAsync(r, d, ct));
        api.MapPost("/amu-applications", (HttpRequest r, AmuEndpoints h, DurableTaskClient d, CancellationToken ct) => h.ApplyAsync(r, d, ct));
        api.MapPost("/kiv/import", (HttpRequest r, KivImportEndpoints h, DurableTaskClient d, CancellationToken ct) => h.ImportAsync(r, d, ct));
        api.MapGet("/kiv/imports/{importId}", (HttpRequest r, string importId, KivImportEndpoints h, CancellationToken ct) => h.ProgressAsync(r, importId, ct));
        api.MapGet("/policies", (HttpRequest r, PolicyEndpoints h, CancellationToken ct) => h.ListAsync(r, ct));
        api.MapPut("/policies/{policyId}", (HttpRequest r, string policyId, PolicyEndpoints h, DurableTaskClient d, CancellationToken ct) => h.SaveAsync(r, policyId, d, ct));
        api.MapPost("/policies/{policyId}/preview", (HttpRequest r, string policyId, PolicyEndpoints h, CancellationToken ct) => h.PreviewAsync(r, policyId, ct));
        api.MapDelete("/delegations/{delegationId}", (HttpRequest r, string delegationId, DelegationEndpoints h, DurableTaskClient d, CancellationToken ct) => h.RevokeAsync(r, delegationId, d, ct));

        app.MapPortalPages();
    }
}
