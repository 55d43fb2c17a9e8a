using Behorighetsportal.Audit;
using Behorighetsportal.Durable;
using Behorighetsportal.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Orders;

public sealed record AttestationRequest(string? Decision, string? Attestant, string? Reference);

/// <summary>
/// POST /api/attestations/{orderId}: Marknadsplatsen's financial attestation (R3), with Marknadsplatsen's key (KiV's is refused).
/// The first attestation for an order holds; the same one sent again is answered as before.
/// </summary>
public sealed class AttestationEndpoints(CallerReader callers, SameOriginPolicy origins, OrderRepository orders, TimeProvider clock, ILogger<AttestationEndpoints> logger)
{
    public async Task<IResult> AttestAsync(HttpRequest request, string orderId, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        if (origins.IsCrossSite(request))
        {
            return Problems.CrossSite();
        }

        if (callers.RefuseUnless(request, IntegrationSystem.Marknadsplatsen) is { } refused)
        {
            return refused;
        }

        var (body, problem) = await JsonBody.ReadAsync<AttestationRequest>(request, cancellationToken);
        if (body is null)
        {
            return problem ?? Problems.MalformedJson();
        }

        var errors = new Dictionary<string, string[]>();
        DecisionOutcome? outcome = body.Decision switch
        {
            "approved" => DecisionOutcome.Approved,
            "rejected" => DecisionOutcome.Rejected,
            _ => null,
        };
        if (outcome is null)
        {
            errors["decision"] = ["Ange decision som \"approved\" eller \"rejected\"."];
        }

        if (string.IsNullOrWhiteSpace(body.Attestant) || body.Attestant.Length > 128)
        {
            errors["attestant"] = ["Ange vem som attesterade (attestant)."];
        }

        if (string.IsNullOrWhiteSpace(body.Reference) || body.Reference.Length > 128)
        {
            errors["reference"] = ["Ange Marknadsplatsens referens för attesten (reference)."];
        }

        if (errors.Count > 0)
        {
            return Problems.BadRequest("Attesten är inte komplett", "Rätta fälten och skicka attesten igen: " + string.Join(" ", errors.Values.SelectMany(v => v)), errors);
        }

        var order = orderId.Length <= 64 ? await orders.GetAsync(orderId, cancellationToken) : null;
        if (order is null)
        {
            return Problems.NotFound("Beställningen finns inte", $"Det finns ingen beställning {orderId}. Kontrollera beställningsnumret i Marknadsplatsen.");
        }

        var decision = new Decision(outcome!.Value, body.Attestant!.Trim(), clock.GetUtcNow(), body.Reference!.Trim());
        var (current, recorded) = await orders.DecideAttestationAsync(order, decision, new AuditEntry(order.OrderId, decision.At,
            decision.Approved ? "AttestationApproved" : "AttestationRejected", decision.By, "Referens " + decision.Reference), cancellationToken);
        var sameAgain = !recorded && current.Attestation is { } held
            && held.Outcome == decision.Outcome && held.By == decision.By && held.Reference == decision.Reference;
        if (!recorded && !sameAgain)
        {
            return current.Attestation is not null
                ? Problems.Conflict("Attest finns redan", $"Beställningen {order.OrderId} har redan en attest ({current.Attestation.Outcome}, referens {current.Attestation.Reference}). Den första attesten gäller.")
                : current.Status == OrderStatus.PendingApproval
                    ? Problems.Conflict("Beställningen väntar på chefens godkännande", $"Beställningen {order.OrderId} är ännu inte godkänd av chef och kan inte attesteras. Skicka attesten när den är godkänd.")
                    : Problems.Conflict("Beställningen väntar inte på attest", $"Beställningen {order.OrderId} har status \"{current.Status.InSwedish()}\" och tar inte emot attest.");
        }

        if (recorded)
        {
            OrderLog.Decided(logger, order.OrderId, DecisionKind.Attestation, decision.Outcome, "Marknadsplatsen");
        }

        if (!await DurableSignals.TryRaiseAsync(durable, order.OrderId, OrderEvents.AttestationDecided,
                new DecisionEvent(current.Attestation!.Outcome, current.Attestation.By), logger, cancellationToken))
        {
            return Problems.TryAgain($"Attesten för {order.OrderId} är sparad men kunde inte skickas vidare just nu. Skicka samma attest igen om en stund.");
        }

        return Results.Json(new OrderAccepted(order.OrderId, current.Status), JsonBody.Options, statusCode: StatusCodes.Status202Accepted);
    }
}
