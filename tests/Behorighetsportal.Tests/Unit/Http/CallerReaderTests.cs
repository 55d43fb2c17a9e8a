using System.Text;
using Behorighetsportal.Http;
using Microsoft.Extensions.Options;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Http;

public sealed class CallerReaderTests
{
    private const string HsaId = "SE2321000131-E000000000003";
    private const string KivKey = "kiv-key-for-unit-tests";
    private const string MarknadsplatsenKey = "marknadsplatsen-key-for-unit-tests";

    private static CallerReader Reader(string claim = "hsa_id", string kivKey = KivKey, string marknadsplatsenKey = MarknadsplatsenKey) =>
        new(Options.Create(new AuthOptions { HsaIdClaim = claim }),
            Options.Create(new IntegrationOptions { KivKey = kivKey, MarknadsplatsenKey = marknadsplatsenKey }));

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string? HsaIdFrom(string principalHeader, string claim = "hsa_id") =>
        Reader(claim).PersonHsaId(A.Request((CallerReader.PrincipalHeader, principalHeader)));

    [Fact]
    public void PersonHsaId_ValidPrincipal_HsaId()
    {
        // Arrange
        var header = CallerReader.PrincipalFor(HsaId);

        // Act
        var hsaId = HsaIdFrom(header);

        // Assert
        Assert.Equal(HsaId, hsaId);
    }

    [Fact]
    public void PersonHsaId_ClaimAmongOthers_HsaId()
    {
        // Arrange: the shape App Service Authentication sends, with more claims than ours
        var header = Base64($$"""
            {"auth_typ":"aad","name_typ":"name","role_typ":"roles","claims":[
              {"typ":"name","val":"Bertil Berg"},
              {"typ":"hsa_id","val":"{{HsaId}}"},
              {"typ":"roles","val":"user"}]}
            """);

        // Act
        var hsaId = HsaIdFrom(header);

        // Assert
        Assert.Equal(HsaId, hsaId);
    }

    [Fact]
    public void PersonHsaId_MissingHeader_Null()
    {
        // Arrange
        var request = A.Request();

        // Act
        var hsaId = Reader().PersonHsaId(request);

        // Assert
        Assert.Null(hsaId);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("%%%")]
    [InlineData("abc")]
    public void PersonHsaId_NotBase64_Null(string header)
    {
        // Arrange (header)

        // Act
        var hsaId = HsaIdFrom(header);

        // Assert
        Assert.Null(hsaId);
    }

    [Theory]
    [InlineData("hsa_id=SE2321000131-E000000000003")]
    [InlineData("{\"claims\":")]
    [InlineData("")]
    public void PersonHsaId_Base64OfNonJson_Null(string text)
    {
        // Arrange
        var header = text.Length == 0 ? "    " : Base64(text);

        // Act
        var hsaId = HsaIdFrom(header);

        // Assert
        Assert.Null(hsaId);
    }

    [Fact]
    public void PersonHsaId_Base64OfInvalidUtf8_Null()
    {
        // Arrange
        var header = Convert.ToBase64String([0xFF, 0xFE, 0x7B, 0xC3, 0x28]);

        // Act
        var hsaId = HsaIdFrom(header);

        // Assert
        Assert.Null(hsaId);
    }

    [Theory]
    [InlineData("{\"auth_typ\":\"aad\"}")]
    [InlineData("{\"claims\":null}")]
    [InlineData("{\"claims\":{\"typ\":\"hsa_id\",\"val\":\"SE2321000131-E000000000003\"}}")]
    [InlineData("{\"claims\":[]}")]
    [InlineData("[]")]
    [InlineData("\"hsa_id\"")]
    [InlineData("42")]
    public void PersonHsaId_JsonWithoutClaims_Null(string json)
    {
        // Arrange
        var header = Base64(json);

        // Act
        var hsaId = HsaIdFrom(header);

        // Assert
        Assert.Null(hsaId);
    }

    [Theory]
    [InlineData("{\"claims\":[1,\"x\",null]}")]
    [InlineData("{\"claims\":[{\"typ\":5,\"val\":\"SE2321000131-E000000000003\"}]}")]
    [InlineData("{\"claims\":[{\"typ\":\"hsa_id\",\"val\":5}]}")]
    [InlineData("{\"claims\":[{\"typ\":\"hsa_id\",\"val\":null}]}")]
    [InlineData("{\"claims\":[{\"typ\":\"hsa_id\",\"val\":\"\"}]}")]
    [InlineData("{\"claims\":[{\"typ\":\"hsa_id\"}]}")]
    public void PersonHsaId_MalformedClaims_Null(string json)
    {
        // Arrange
        var header = Base64(json);

        // Act
        var hsaId = HsaIdFrom(header);

        // Assert
        Assert.Null(hsaId);
    }

    [Fact]
    public void PersonHsaId_ClaimUnderAnotherName_Null()
    {
        // Arrange: the IdP sends the HSA-id as "hsa_identity"; the setting still says hsa_id
        var header = CallerReader.PrincipalFor(HsaId, claim: "hsa_identity");

        // Act
        var hsaId = HsaIdFrom(header, claim: "hsa_id");

        // Assert
        Assert.Null(hsaId);
    }

    [Fact]
    public void PersonHsaId_ClaimNameFromSetting_HsaId()
    {
        // Arrange: Auth:HsaIdClaim names the claim the region's IdP uses
        var header = CallerReader.PrincipalFor(HsaId, claim: "http://sambi.se/attributes/1/employeeHsaId");

        // Act
        var hsaId = HsaIdFrom(header, claim: "http://sambi.se/attributes/1/employeeHsaId");

        // Assert
        Assert.Equal(HsaId, hsaId);
    }

    [Fact]
    public void PersonHsaId_SettingNamesOtherClaimThanSent_Null()
    {
        // Arrange
        var header = CallerReader.PrincipalFor(HsaId);

        // Act
        var hsaId = HsaIdFrom(header, claim: "employeeHsaId");

        // Assert
        Assert.Null(hsaId);
    }

    [Fact]
    public void PersonHsaId_HeaderTooLong_Null()
    {
        // Arrange: a valid principal padded with filler claims past the 16 KiB limit
        var filler = string.Join(",", Enumerable.Range(0, 600).Select(i => $$"""{"typ":"filler{{i}}","val":"xxxxxxxx"}"""));
        var header = Base64($$"""{"claims":[{{filler}},{"typ":"hsa_id","val":"{{HsaId}}"}]}""");

        // Act
        var hsaId = HsaIdFrom(header);

        // Assert
        Assert.True(header.Length > 16_384);
        Assert.Null(hsaId);
    }

    [Fact]
    public void PersonHsaId_HsaIdValueTooLong_Null()
    {
        // Arrange
        var header = CallerReader.PrincipalFor(new string('E', 65));

        // Act
        var hsaId = HsaIdFrom(header);

        // Assert
        Assert.Null(hsaId);
    }

    [Fact]
    public void PersonHsaId_HsaIdValueAtLengthLimit_HsaId()
    {
        // Arrange
        var longest = new string('E', 64);
        var header = CallerReader.PrincipalFor(longest);

        // Act
        var hsaId = HsaIdFrom(header);

        // Assert
        Assert.Equal(longest, hsaId);
    }

    [Theory]
    [InlineData(KivKey, IntegrationSystem.Kiv)]
    [InlineData(MarknadsplatsenKey, IntegrationSystem.Marknadsplatsen)]
    public void SystemOf_ASystemsKey_ThatSystem(string sent, IntegrationSystem expected)
    {
        // Arrange
        var request = A.Request((CallerReader.KeyHeader, sent));

        // Act
        var system = Reader().SystemOf(request);

        // Assert
        Assert.Equal(expected, system);
    }

    [Theory]
    [InlineData("wrong-key-for-unit-tests-000000")]
    [InlineData("kiv-key-for-unit-test")]
    [InlineData("kiv-key-for-unit-testss")]
    [InlineData("KIV-KEY-FOR-UNIT-TESTS")]
    [InlineData(KivKey + "," + MarknadsplatsenKey)]
    public void SystemOf_WrongKey_Null(string sent)
    {
        // Arrange
        var request = A.Request((CallerReader.KeyHeader, sent));

        // Act
        var system = Reader().SystemOf(request);

        // Assert
        Assert.Null(system);
    }

    [Fact]
    public void SystemOf_MissingHeader_Null()
    {
        // Act
        var system = Reader().SystemOf(A.Request());

        // Assert
        Assert.Null(system);
    }

    [Fact]
    public void SystemOf_NoKeyConfiguredAndNoneSent_Null()
    {
        // Arrange: a missing setting must not let an empty header through
        var request = A.Request((CallerReader.KeyHeader, ""));

        // Act
        var system = Reader(kivKey: "", marknadsplatsenKey: "").SystemOf(request);

        // Assert
        Assert.Null(system);
    }

    [Fact]
    public void SystemOf_PersonPrincipalOnly_Null()
    {
        // Arrange: a signed-in person is not a system caller
        var request = A.Request((CallerReader.PrincipalHeader, CallerReader.PrincipalFor(HsaId)));

        // Act
        var system = Reader().SystemOf(request);

        // Assert
        Assert.Null(system);
    }

    [Theory]
    [InlineData(KivKey, IntegrationSystem.Kiv, null)]
    [InlineData(MarknadsplatsenKey, IntegrationSystem.Marknadsplatsen, null)]
    [InlineData(MarknadsplatsenKey, IntegrationSystem.Kiv, 403)]
    [InlineData(KivKey, IntegrationSystem.Marknadsplatsen, 403)]
    [InlineData("wrong-key-for-unit-tests-000000", IntegrationSystem.Kiv, 401)]
    [InlineData("", IntegrationSystem.Marknadsplatsen, 401)]
    public async Task RefuseUnless_KeySentForRoutesOfASystem_NullOr401Or403(string sent, IntegrationSystem routesOf, int? status)
    {
        // Arrange
        var request = A.Request((CallerReader.KeyHeader, sent));

        // Act
        var refusal = Reader().RefuseUnless(request, routesOf);

        // Assert
        if (status is null)
        {
            Assert.Null(refusal);
            return;
        }

        var written = await WrittenResponse.ExecuteAsync(refusal!);
        Assert.Equal(status, written.Status);
        Assert.Equal("application/problem+json", written.ContentType);
        Assert.Contains("x-functions-key", written.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
