using Behorighetsportal.Http;

namespace Behorighetsportal.Tests.Infrastructure;

/// <summary>The demo organisation's people and engagements by name (see workflows/Directory/organization.json).</summary>
public static class Demo
{
    public const string Gunilla = "SE2321000131-E000000000001";
    public const string Anna = "SE2321000131-E000000000002";
    public const string Bertil = "SE2321000131-E000000000003";
    public const string Cecilia = "SE2321000131-E000000000004";
    public const string Dalia = "SE2321000131-E000000000005";
    public const string Eva = "SE2321000131-E000000000006";
    public const string Fredrik = "SE2321000131-E000000000007";
    public const string Hugo = "SE2321000131-E000000000008";
    public const string Karin = "SE2321000131-E000000000009";
    public const string Johan = "SE2321000131-E000000000010";
    public const string Maria = "SE2321000131-E000000000011";
    public const string Nils = "SE2321000131-E000000000012";

    public const string HugoEngagement = "ENG-0008";
    public const string CeciliaEngagement = "ENG-0004";
    public const string DaliaEngagement = "ENG-0005";
    public const string BertilEngagement = "ENG-0003";
    public const string KarinOldEngagement = "ENG-0009a";
    public const string KarinNewEngagement = "ENG-0009b";
    public const string JohanOldEngagement = "ENG-0010a";
    public const string JohanNewEngagement = "ENG-0010b";
    public const string NilsEngagement = "ENG-0012";

    /// <summary>The key KiV sends (Integration:KivKey): it opens the KiV import routes only.</summary>
    public const string KivKey = "test-kiv-key";

    /// <summary>The key Marknadsplatsen sends (Integration:MarknadsplatsenKey): it opens the attestation route only.</summary>
    public const string MarknadsplatsenKey = "test-marknadsplatsen-key";
    public const string SigningKey = "test-signing-key-0123456789abcdef0123456789abcdef";

    /// <summary>The X-MS-CLIENT-PRINCIPAL header App Service Authentication would send for this person.</summary>
    public static string Principal(string hsaId) => CallerReader.PrincipalFor(hsaId);
}
