using System.Globalization;

namespace Behorighetsportal.Tests.Matrix;

/// <summary>Who calls: the matrix's columns, in the order of every row of <see cref="AuthorizationMatrix"/>.</summary>
public enum CallerKind
{
    /// <summary>No principal header, no key.</summary>
    Anonymous,

    /// <summary>The target person themself (Cecilia, or Dalia).</summary>
    Self,

    /// <summary>Anna, the target's nearest manager (SU-AKUT).</summary>
    LineManager,

    /// <summary>Fredrik, manager of SU-IVA: a manager, but not the target's.</summary>
    OtherUnitManager,

    /// <summary>Bertil, to whom Anna has delegated her manager role from today (Active).</summary>
    ActiveDelegate,

    /// <summary>Karin, whose delegation from Anna has run its lifecycle to the end (Ended).</summary>
    ExpiredDelegate,

    /// <summary>Eva, orderer (SDA) for SU-AKUT and SU-IVA: the target's unit.</summary>
    OrdererInScope,

    /// <summary>Hugo, orderer (SDA) for SU-IT only: the right administration, another unit.</summary>
    OrdererOutOfScope,

    /// <summary>Maria, manager and orderer (SDA) in NU: another administration.</summary>
    OrdererOtherAdministration,

    /// <summary>Johan, a nurse in SU-IVA with no other role, policy administrator for SU (<c>Policies:Administrators:SU</c>).</summary>
    PolicyAdministrator,

    /// <summary>Marknadsplatsen with its own x-functions-key (Integration:MarknadsplatsenKey), no principal.</summary>
    Marknadsplatsen,

    /// <summary>KiV with its own x-functions-key (Integration:KivKey), no principal.</summary>
    Kiv,

    /// <summary>A system caller with a wrong x-functions-key (and no principal).</summary>
    SystemWrongKey,

    /// <summary>
    /// A page of another site making the browser of someone who may make the call send it (<c>Origin: https://evil.example</c>,
    /// <c>Sec-Fetch-Site: cross-site</c>): the row's first permitted person, or Anna where no person is (CSRF). A state-changing
    /// route refuses it (403); a reading one answers as it answers that person.
    /// </summary>
    CrossSite,

    /// <summary>
    /// The row's first permitted caller (Anna where none is), sending the request's body as <c>text/plain</c> — what an HTML
    /// form can send from any site. A state-changing route refuses it (415); a reading one, which takes no body, answers as
    /// it answers that caller.
    /// </summary>
    WrongContentType,
}

/// <summary>Whom the call is about.</summary>
public enum TargetKind
{
    /// <summary>Cecilia Carlsson, ENG-0004 in SU-AKUT, manager Anna.</summary>
    Ordinary,

    /// <summary>Dalia Dahl, ENG-0005 in SU-AKUT, manager Anna, protected identity (R10).</summary>
    Protected,
}

/// <summary>
/// One expected answer: the exact status and, for a search, whether the target is among the results
/// (<c>200+</c> listed, <c>200-</c> not listed).
/// </summary>
public readonly record struct Expect(int Status, bool? Listed = null)
{
    /// <summary>Done: a 2xx, or a page's form that did it and sends the browser on (303, Post/Redirect/Get).</summary>
    public bool Permitted => Status is (>= 200 and < 300) or 303;

    public static Expect Parse(string token) => token[^1] switch
    {
        '+' => new Expect(int.Parse(token[..^1], CultureInfo.InvariantCulture), Listed: true),
        '-' => new Expect(int.Parse(token[..^1], CultureInfo.InvariantCulture), Listed: false),
        _ => new Expect(int.Parse(token, CultureInfo.InvariantCulture)),
    };

    public override string ToString() => Status.ToString(CultureInfo.InvariantCulture) + Listed switch { true => "+", false => "-", null => "" };
}

/// <summary>One route of API.md with its expected answer per caller, for each target.</summary>
public sealed record RouteRow(string Method, string Route, IReadOnlyList<Expect> Ordinary, IReadOnlyList<Expect> Protected)
{
    public string Name => $"{Method} /{Route}";

    public Expect Expected(CallerKind caller, TargetKind target) => (target == TargetKind.Ordinary ? Ordinary : Protected)[(int)caller];
}

/// <summary>
/// The authorization matrix: every route of API.md (<see cref="Http.PortalRoutes"/> is what the hosts serve) × every
/// kind of caller × an ordinary and a protected target, with the exact status each must get. Each row says which rule it
/// encodes. The objects a row acts on (an order, a link, a delegation) are described with it; the test prepares them.
/// </summary>
public static class AuthorizationMatrix
{
    public static readonly IReadOnlyList<CallerKind> Callers = Enum.GetValues<CallerKind>();

    public static readonly IReadOnlyList<TargetKind> Targets = Enum.GetValues<TargetKind>();

    public static readonly IReadOnlyList<RouteRow> Routes =
    [
        // API.md "anyone": health needs no sign-in and no key; it tells nothing about people.
        Row("GET", "api/health",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "200   200   200   200   200   200   200   200    200    200    200    200    200    200    200",
            @protected: "200   200   200   200   200   200   200   200    200    200    200    200    200    200    200"),

        // API.md "Who is calling": every person route answers any known person, and 401 without a principal —
        // a system key is not a person. /api/me is about the caller, so the target does not matter.
        Row("GET", "api/me",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   200   200   200   200   200   200   200    200    200    401    401    401    200    200",
            @protected: "401   200   200   200   200   200   200   200    200    200    401    401    401    200    200"),

        // As /api/me: one's own assigned permissions.
        Row("GET", "api/me/assignments",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   200   200   200   200   200   200   200    200    200    401    401    401    200    200",
            @protected: "401   200   200   200   200   200   200   200    200    200    401    401    401    200    200"),

        // As /api/me: what waits for the caller (run while orders, orderer-role orders and AMU applications wait).
        Row("GET", "api/me/approvals",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   200   200   200   200   200   200   200    200    200    401    401    401    200    200",
            @protected: "401   200   200   200   200   200   200   200    200    200    401    401    401    200    200"),

        // ?q=<target's given name>. R1: the list holds the identities the caller may act on — themself, their
        // reports, their delegator's reports (active delegation only: R8), and, for an orderer, the engagements in
        // the role's units of the role's administration (R9). R10: a protected identity only for themself, the
        // nearest manager and that manager's active delegates — so not for the orderer in scope.
        Row("GET", "api/identities",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   200+  200+  200-  200+  200-  200+  200-   200-   200-   401    401    401    200+   200+",
            @protected: "401   200+  200+  200-  200+  200-  200-  200-   200-   200-   401    401    401    200+   200+"),

        // API.md: the identity "if the caller may act on it; otherwise the same 404 as for an unknown id" (R1, R10).
        Row("GET", "api/identities/{hsaId}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   200   200   404   200   404   200   404    404    404    401    401    401    200    200",
            @protected: "401   200   200   404   200   404   404   404    404    404    401    401    401    200    200"),

        // R1: the line manager, the manager's active delegate, an orderer whose units cover the engagement in the
        // same administration, or the person themself may order; anyone else 403. R10 first: whoever may not see
        // a protected identity gets the unknown-identity 404 instead (so the orderer in scope does, for Dalia).
        // Every 202 here is cancelled at once (by Anna), so the next permitted cell meets a free engagement.
        Row("POST", "api/orders",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   202   202   403   202   403   202   403    403    403    401    401    401    403    415",
            @protected: "401   202   202   404   202   404   404   404    404    404    401    401    401    403    415"),

        // An order: Cecilia's placed by Eva (orderer in scope) and approved by Ylva, Anna's protected delegate (so its
        // history names an actor most callers may not see: R10); Dalia's placed by Dalia herself, waiting for approval.
        // Visible to its orderer, its approver, the person it is for and whoever holds the engagement's manager role
        // now (manager or active delegate); for anyone else it does not exist (404, as an unknown order id).
        Row("GET", "api/orders/{orderId}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   200   200   404   200   404   200   404    404    404    401    401    401    200    200",
            @protected: "401   200   200   404   200   404   404   404    404    404    401    401    401    200    200"),

        // API.md "orderer, manager": the orderer, the manager or an active delegate (R8) cancel — each permitted
        // cell on a fresh order of the same orderer. The person it is for sees the order but may not cancel it (403)
        // unless they placed it themself (Dalia). Whoever may not see the order gets its 404.
        Row("POST", "api/orders/{orderId}/cancel",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   403   202   404   202   404   202   404    404    404    401    401    401    403    415",
            @protected: "401   202   202   404   202   404   404   404    404    404    401    401    401    403    415"),

        // The approval link mailed to Anna for an order waiting for her (R2). A link works for the signed-in person it
        // was mailed to, while they hold the manager role (so not for Bertil: he has a link of his own); 401 without
        // sign-in. The GET only shows.
        Row("GET", "api/approvals/{token}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   403   200   403   403   403   403   403    403    403    401    401    401    200    200",
            @protected: "401   403   200   403   403   403   403   403    403    403    401    401    401    200    200"),

        // As the GET; Anna's approval (the only permitted cell) runs last and moves the order to attestation.
        Row("POST", "api/approvals/{token}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   403   200   403   403   403   403   403    403    403    401    401    401    403    415",
            @protected: "401   403   200   403   403   403   403   403    403    403    401    401    401    403    415"),

        // R3, API.md "Marknadsplatsen": only Marknadsplatsen's key attests; KiV's key is known but opens only KiV's
        // routes (403); a person, even the manager (R8: delegation does not include attestation), gets the key's 401.
        Row("POST", "api/attestations/{orderId}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   401   401   401   401   401   401   401    401    401    202    403    401    403    415",
            @protected: "401   401   401   401   401   401   401   401    401    401    202    403    401    403    415"),

        // R6, R7: the initial-password link mailed to Anna when the attested order activated; as the approval link,
        // only its recipient while she holds the manager role. The GET shows whose password it is, not the password.
        Row("GET", "api/passwords/{token}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   403   200   403   403   403   403   403    403    403    401    401    401    200    200",
            @protected: "401   403   200   403   403   403   403   403    403    403    401    401    401    200    200"),

        // As the GET; Anna's reveal (the only permitted cell) runs last.
        Row("POST", "api/passwords/{token}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   403   200   403   403   403   403   403    403    403    401    401    401    403    415",
            @protected: "401   403   200   403   403   403   403   403    403    403    401    401    401    403    415"),

        // R8: only a manager, and only to someone they are nearest manager for (the target, from day 30 to 40). Another
        // unit's manager, a delegate (delegation gives no right to delegate further) or a non-manager: 403. The
        // person themself names themself as delegate: a request that cannot be right whoever sends it (400).
        Row("POST", "api/delegations",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   400   202   403   403   403   403   403    403    403    401    401    401    403    415",
            @protected: "401   400   202   403   403   403   403   403    403    403    401    401    401    403    415"),

        // API.md "person": one's own delegations, given and received.
        Row("GET", "api/delegations",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   200   200   200   200   200   200   200    200    200    401    401    401    200    200",
            @protected: "401   200   200   200   200   200   200   200    200    200    401    401    401    200    200"),

        // API.md "the manager": Anna's delegation to the target (days 60 to 70) is revoked by Anna only; for anyone
        // else — the delegate included — it does not exist (the same 404 as an unknown id).
        Row("DELETE", "api/delegations/{delegationId}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   404   200   404   404   404   404   404    404    404    401    401    401    403    415",
            @protected: "401   404   200   404   404   404   404   404    404    404    401    401    401    403    415"),

        // R9: the orderer role (future-dated, identityId = the target) is ordered by the person themself (waits for the
        // manager) or by their manager or the manager's active delegate (no approval needed). For anyone else the
        // target is "no identity you can order the role for": 404, as an unknown id (R10 for Dalia). Each permitted
        // caller asks for a unit of its own, so no earlier cell makes a later one "already ordered".
        Row("POST", "api/orderer-roles",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   202   202   404   202   404   404   404    404    404    401    401    401    403    415",
            @protected: "401   202   202   404   202   404   404   404    404    404    401    401    401    403    415"),

        // R11: every employee may apply to an AMU group themself (the target column only decides which group, and
        // who "the person themself" is); the owner approves later.
        Row("POST", "api/amu-applications",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   202   202   202   202   202   202   202    202    202    401    401    401    403    415",
            @protected: "401   202   202   202   202   202   202   202    202    202    401    401    401    403    415"),

        // API.md "person": the assignment policies are readable by any signed-in person.
        Row("GET", "api/policies",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   200   200   200   200   200   200   200    200    200    401    401    401    200    200",
            @protected: "401   200   200   200   200   200   200   200    200    200    401    401    401    200    200"),

        // R5, API.md "policy administrator": only the administration's policy administrator may save a policy (here one
        // for the target's title in SU-AKUT, level Utökad); any other person, managers included, 403. Runs last: saving
        // re-evaluates the engagements the policy covers.
        Row("PUT", "api/policies/{policyId}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   403   403   403   403   403   403   403    403    200    401    401    401    403    415",
            @protected: "401   403   403   403   403   403   403   403    403    200    401    401    401    403    415"),

        // As the PUT, without saving: who would gain, lose or change level. Runs while Dalia has no user service, so
        // she would gain one; R10: the policy administrator may not see her, so she is in the preview without her name.
        Row("POST", "api/policies/{policyId}/preview",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   403   403   403   403   403   403   403    403    200    401    401    401    403    415",
            @protected: "401   403   403   403   403   403   403   403    403    200    401    401    401    403    415"),
        // API.md "KiV": a batch (here the target's identity as KiV has it) is accepted with KiV's key only; Marknadsplatsen's
        // key is known but may not import into the directory (403); a person — even the target's manager — gets the key's 401.
        Row("POST", "api/kiv/import",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   401   401   401   401   401   401   401    401    401    403    202    401    403    415",
            @protected: "401   401   401   401   401   401   401   401    401    401    403    202    401    403    415"),

        // The progress of that import, for KiV: KiV's key only (Marknadsplatsen's: 403).
        Row("GET", "api/kiv/imports/{importId}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   401   401   401   401   401   401   401    401    401    403    200    401    401    200",
            @protected: "401   401   401   401   401   401   401   401    401    401    403    200    401    401    200"),

        // The portal's pages (API.md "Pages"). A page asks for a person: without one (anonymous, a system key) a GET is sent to
        // sign in (302) and a form post, whose token holds, answers 401. A form from another site is refused (403), a body
        // that is no form too (415); a GET from another site is only a link followed, answered as to that person.
        // The stylesheet and script need no sign-in and tell nothing about people.
        Row("GET", "assets/{name}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "200   200   200   200   200   200   200   200    200    200    200    200    200    200    200",
            @protected: "200   200   200   200   200   200   200   200    200    200    200    200    200    200    200"),

        // The start page, and the lists of what waits for the caller: every person has them (empty or not).
        Row("GET", "",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200",
            @protected: "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200"),
        Row("GET", "losenord",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200",
            @protected: "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200"),
        Row("GET", "godkannanden",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200",
            @protected: "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200"),

        // Rejecting, with a reason, an order for the target that waits for Anna (R2): Anna and her active delegate (R8) decide
        // (303 back to the list); for anyone else it is not in their list, so nothing is chosen (400, the form again).
        Row("POST", "godkannanden",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   400   303   400   303   400   400   400    400    400    401    401    401    403    415",
            @protected: "401   400   303   400   303   400   400   400    400    400    401    401    401    403    415"),

        // The order form: anyone may order (for themself at least).
        Row("GET", "bestall",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200",
            @protected: "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200"),

        // Sending the form for the target: the rules of POST /api/orders (R1, R10), answered as a page — 303 to the
        // confirmation when placed, 400 with the refusal (naming Dalia to nobody who may not see her) when not.
        Row("POST", "bestall",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   303   303   400   303   400   303   400    400    400    401    401    401    403    415",
            @protected: "401   303   303   400   303   400   400   400    400    400    401    401    401    403    415"),

        // The confirmation for the order GET /api/orders/{id} shows: it lists the orders the reader may see, and nothing else.
        Row("GET", "bestall/klar",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200+  200+  200-  200+  200-  200+  200-   200-   200-   302    302    302    200+   200+",
            @protected: "302   200+  200+  200-  200+  200-  200-  200-   200-   200-   302    302    302    200+   200+"),
        Row("GET", "bestallningar",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200",
            @protected: "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200"),

        // As GET /api/orders/{orderId}: the same order, the same readers; for anyone else the page an unknown number gets.
        Row("GET", "bestallningar/{orderId}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200   200   404   200   404   200   404    404    404    302    302    302    200    200",
            @protected: "302   200   200   404   200   404   404   404    404    404    302    302    302    200    200"),

        // As POST /api/orders/{orderId}/cancel, answered as a page: 303 back to the order when cancelled.
        Row("POST", "bestallningar/{orderId}/avbryt",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   403   303   404   303   404   303   404    404    404    401    401    401    403    415",
            @protected: "401   303   303   404   303   404   404   404    404    404    401    401    401    403    415"),

        // The orderer-role page: anyone sees the units of their own administration, what they hold and what they ordered.
        Row("GET", "bestallarroll",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200",
            @protected: "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200"),

        // R9 from the page: the caller orders the role for themself (days 30–40), for a unit of their own administration
        // (SU for the ordinary column; for the protected one a unit nobody in it holds or was given by the route's cells:
        // SU-AKUT, for Eva, who holds it, SU-IT): every SU
        // person may (303; it waits for their manager); Maria, of NU, may not (403).
        Row("POST", "bestallarroll",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   303   303   303   303   303   303   303    403    303    401    401    401    403    415",
            @protected: "401   303   303   303   303   303   303   303    403    303    401    401    401    403    415"),

        // The delegation page: anyone sees what they gave and received (and, a manager, whom they may delegate to).
        Row("GET", "delegeringar",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200",
            @protected: "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200"),

        // R8 from the page, as POST /api/delegations: Anna to the target, days 45–50 (beside the route's 30–40 and the
        // world's 60–70). Nobody else is the target's nearest manager: 403 with the message beside the field; the target
        // naming herself, as the route, 400.
        Row("POST", "delegeringar",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   400   303   403   403   403   403   403    403    403    401    401    401    403    415",
            @protected: "401   400   303   403   403   403   403   403    403    403    401    401    401    403    415"),

        // As DELETE /api/delegations/{id}: the delegation the page's form made, revoked by Anna only; for anyone else it
        // does not exist (the unknown id's 404).
        Row("POST", "delegeringar/{delegationId}/aterkalla",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   404   303   404   404   404   404   404    404    404    401    401    401    403    415",
            @protected: "401   404   303   404   404   404   404   404    404    404    401    401    401    403    415"),

        // The AMU page: anyone sees the groups open to them, their memberships and applications.
        Row("GET", "amu",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200",
            @protected: "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200"),

        // R11 from the page, after POST /api/amu-applications: every person applies for the group the route's cell applied
        // for (the demo has two), so each is told it waits already (409, the refusal beside the groups) and nothing is stored.
        Row("POST", "amu",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   409   409   409   409   409   409   409    409    409    401    401    401    403    415",
            @protected: "401   409   409   409   409   409   409   409    409    409    401    401    401    403    415"),

        // The policy pages: any person reads the policies (read-only unless they administer the policy's administration).
        Row("GET", "policyer",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200",
            @protected: "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200"),
        Row("GET", "policyer/{policyId}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200",
            @protected: "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200"),

        // R5 from the page: previewing a change of the demo's SU policy to the target's title in SU-AKUT (who gains, loses
        // or changes level; nothing saved) is for SU's policy administrator only; any other person 403. R10: Johan may
        // not see Dalia, so she may be in his preview only without her name.
        Row("POST", "policyer/{policyId}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "401   403   403   403   403   403   403   403    403    200    401    401    401    403    415",
            @protected: "401   403   403   403   403   403   403   403    403    200    401    401    401    403    415"),

        // One's own profile: identity, engagements, Tilldelade behörigheter.
        Row("GET", "min-profil",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200",
            @protected: "302   200   200   200   200   200   200   200    200    200    302    302    302    200    200"),

        // As GET /api/identities?q=: the people the caller may act on (R1), a protected one only for R10's readers.
        Row("GET", "personer",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200+  200+  200-  200+  200-  200+  200-   200-   200-   302    302    302    200+   200+",
            @protected: "302   200+  200+  200-  200+  200-  200-  200-   200-   200-   302    302    302    200+   200+"),

        // As GET /api/identities/{hsaId}: one person's page, or for anyone else the page an unknown HSA-id gets.
        Row("GET", "personer/{hsaId}",
            //           Anon  Self  Mgr   OMgr  Del   xDel  OrdIn OrdOut OrdAdm PolAdm MpKey  KivKey SysBad XSite  Type
            ordinary:   "302   200   200   404   200   404   200   404    404    404    302    302    302    200    200",
            @protected: "302   200   200   404   200   404   404   404    404    404    302    302    302    200    200"),
    ];

    /// <summary>Callers that are someone else (<see cref="ActingAs"/>) with a flaw in how the request is sent.</summary>
    public static bool IsFlawed(CallerKind caller) => caller is CallerKind.CrossSite or CallerKind.WrongContentType;

    /// <summary>Whose request a flawed caller sends: the row's first permitted caller (a person, for a page of another site), else Anna.</summary>
    public static CallerKind ActingAs(RouteRow row, CallerKind caller, TargetKind target)
    {
        if (!IsFlawed(caller))
        {
            return caller;
        }

        var candidates = Callers.Where(c => !IsFlawed(c) && (caller == CallerKind.WrongContentType || MatrixWorld.HsaIdOf(c, target) is not null));
        return candidates.Cast<CallerKind?>().FirstOrDefault(c => row.Expected(c!.Value, target).Permitted) ?? CallerKind.LineManager;
    }

    public static RouteRow Find(string method, string route) =>
        Routes.Single(r => r.Method == method && r.Route == route);

    private static RouteRow Row(string method, string route, string ordinary, string @protected) =>
        new(method, route, Parse(method, route, ordinary), Parse(method, route, @protected));

    private static List<Expect> Parse(string method, string route, string cells)
    {
        var tokens = cells.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length != Enum.GetValues<CallerKind>().Length)
        {
            throw new InvalidOperationException($"{method} /{route}: {tokens.Length} cells for {Enum.GetValues<CallerKind>().Length} callers.");
        }

        return tokens.Select(Expect.Parse).ToList();
    }
}
