using System.Text;
using Behorighetsportal.Http;
using Microsoft.Extensions.Options;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Http;

public sealed class CallerReaderTests
{
    private const string HsaId = "SE2321000131-E000000000003";
    private const string IntegrationKey = "integration-key-for-unit-tests";

    private static CallerReader Reader(string claim = "hsa_id", string key = IntegrationKey) =>
        new(Options.Create(new AuthOptions { HsaIdClaim = claim }), Options.Create(new IntegrationOptions { Key = key }));

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

    [Fact]
    public void IsIntegration_RightKey_True()
    {
        // Arrange
        var request = A.Request((CallerReader.KeyHeader, IntegrationKey));

        // Act
        var integration = Reader().IsIntegration(request);

        // Assert
        Assert.True(integration);
    }

    [Theory]
    [InlineData("wrong-key-for-unit-tests-000000")]
    [InlineData("integration-key-for-unit-test")]
    [InlineData("integration-key-for-unit-testss")]
    [InlineData("INTEGRATION-KEY-FOR-UNIT-TESTS")]
    public void IsIntegration_WrongKey_False(string sent)
    {
        // Arrange
        var request = A.Request((CallerReader.KeyHeader, sent));

        // Act
        var integration = Reader().IsIntegration(request);

        // Assert
        Assert.False(integration);
    }

    [Fact]
    public void IsIntegration_MissingHeader_False()
    {
        // Arrange
        var request = A.Request();

        // Act
        var integration = Reader().IsIntegration(request);

        // Assert
        Assert.False(integration);
    }

    [Fact]
    public void IsIntegration_NoKeyConfiguredAndNoneSent_False()
    {
        // Arrange: a missing setting must not let an empty header through
        var request = A.Request((CallerReader.KeyHeader, ""));

        // Act
        var integration = Reader(key: "").IsIntegration(request);

        // Assert
        Assert.False(integration);
    }

    [Fact]
    public void IsIntegration_PersonPrincipalOnly_False()
    {
        // Arrange: a signed-in person is not a system caller
        var request = A.Request((CallerReader.PrincipalHeader, CallerReader.PrincipalFor(HsaId)));

        // Act
        var integration = Reader().IsIntegration(request);

        // Assert
        Assert.False(integration);
    }
}
