using System.Globalization;

namespace Behorighetsportal.Bench;

/// <summary>
/// A synthetic region shaped like Västra Götalandsregionen: administrations with a unit tree, one manager per
/// unit, staff with titles, some people with two engagements, some leavers and some joiners. Deterministic
/// for a given size (fixed seed), so runs compare.
/// </summary>
public sealed record GeneratedRegion(object[] OrgUnits, object[] Identities, object[] Engagements, object[] Policies, string AdminHsaId)
{
    private static readonly string[] Administrations = ["SU", "NU", "SkaS", "SAS", "KSS", "FTV", "HSN", "RHS", "KC", "IT", "VGR", "ALF", "FOL", "ORM", "PRI", "VV", "SVF"];
    private static readonly string[] CareTitles = ["Sjuksköterska", "Undersköterska"];
    private static readonly string[] Titles = ["Sjuksköterska", "Undersköterska", "Läkare", "Administratör", "Fysioterapeut", "Kurator", "Biomedicinsk analytiker"];

    public static GeneratedRegion Create(int identities, int units)
    {
        var random = new Random(20261128);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string Hsa(int n) => $"SE2321000131-B{n:D12}";

        List<object> orgUnits = [];
        List<(string Id, string Administration)> leaves = [];
        foreach (var administration in Administrations)
        {
            orgUnits.Add(new { id = administration, name = "Förvaltning " + administration, administration, parentId = (string?)null });
            for (var clinic = 0; clinic < Math.Max(1, units / Administrations.Length / 4); clinic++)
            {
                var clinicId = $"{administration}-K{clinic:D3}";
                orgUnits.Add(new { id = clinicId, name = $"Klinik {clinic}", administration, parentId = administration });
                for (var ward = 0; ward < 3; ward++)
                {
                    var wardId = $"{clinicId}-A{ward}";
                    orgUnits.Add(new { id = wardId, name = $"Avdelning {ward}", administration, parentId = clinicId });
                    leaves.Add((wardId, administration));
                }
            }
        }

        List<object> people = [];
        List<object> engagements = [];
        var managers = leaves.Select((leaf, i) => (leaf.Id, Manager: Hsa(i))).ToDictionary(x => x.Id, x => x.Manager);
        for (var n = 0; n < identities; n++)
        {
            var hsaId = Hsa(n);
            people.Add(new { hsaId, givenName = "Person" + n, familyName = "Genererad", email = $"person{n}@example.vgregion.se", @protected = n % 500 == 7 });
            var (unit, _) = leaves[n % leaves.Count];
            var isManager = n < leaves.Count;
            var start = today.AddDays(-random.Next(0, 3000));
            var end = n % 40 == 3 ? today.AddDays(random.Next(-30, 60)) : (DateOnly?)null;
            if (n % 25 == 5)
            {
                start = today.AddDays(random.Next(1, 30)); // joiners
                end = null;
            }

            engagements.Add(new
            {
                engagementId = $"BENG-{n:D7}",
                hsaId,
                orgUnitId = unit,
                title = isManager ? "Avdelningschef" : Titles[random.Next(Titles.Length)],
                startDate = Date(start),
                endDate = end is null ? null : Date(end.Value < start ? start : end.Value),
                managerHsaId = isManager ? null : managers[unit],
            });
            if (n % 10 == 1)
            {
                engagements.Add(new
                {
                    engagementId = $"BENG-{n:D7}-2", hsaId, orgUnitId = leaves[(n + 1) % leaves.Count].Id, title = "Kurator",
                    startDate = Date(start), endDate = (string?)null, managerHsaId = managers[leaves[(n + 1) % leaves.Count].Id],
                });
            }
        }

        var policies = Administrations.Select(a => (object)new { policyId = $"POL-{a}-VARD", administration = a, underOrgUnitId = a, titles = CareTitles, level = "Standard" }).ToArray();
        return new GeneratedRegion(orgUnits.ToArray(), people.ToArray(), engagements.ToArray(), policies, Hsa(0));
    }
}
