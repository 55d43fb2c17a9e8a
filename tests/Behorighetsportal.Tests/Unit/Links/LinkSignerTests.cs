using System.Text;
using System.Text.Json.Nodes;
using Behorighetsportal.Links;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Links;

public sealed class LinkSignerTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeClock _clock = new(Now);

    private LinkSigner Signer(string? signingKey = null) =>
        signingKey is null ? new LinkSigner(A.LinkOptions(), _clock) : new LinkSigner(A.LinkOptions(signingKey), _clock);

    private static LinkToken Token(LinkPurpose purpose = LinkPurpose.Approval, string subject = "ORD-1") =>
        new(purpose, subject, A.Manager, Now.AddDays(14));

    private static string ToBase64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }

    [Fact]
    public void TryRead_TokenJustSigned_NoneWithSameContents()
    {
        // Arrange
        var signer = Signer();
        var token = Token();

        // Act
        var problem = signer.TryRead(signer.Sign(token), LinkPurpose.Approval, out var read);

        // Assert
        Assert.Equal(LinkProblem.None, problem);
        Assert.Equal(token, read);
    }

    [Fact]
    public void Sign_Always_UrlSafeText()
    {
        // Arrange
        var signer = Signer();

        // Act
        var text = signer.Sign(Token(subject: "ORD-ÅÄÖ/+?&"));

        // Assert
        Assert.Matches("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", text);
    }

    [Fact]
    public void TryRead_TamperedPayload_Invalid()
    {
        // Arrange: a well-formed payload for another order, with the original signature
        var signer = Signer();
        var parts = signer.Sign(Token(subject: "ORD-1")).Split('.');
        var payload = JsonNode.Parse(FromBase64Url(parts[0]))!;
        payload["s"] = "ORD-2";
        var tampered = ToBase64Url(Encoding.UTF8.GetBytes(payload.ToJsonString())) + "." + parts[1];

        // Act
        var problem = signer.TryRead(tampered, LinkPurpose.Approval, out var read);

        // Assert
        Assert.Equal(LinkProblem.Invalid, problem);
        Assert.Null(read);
    }

    [Fact]
    public void TryRead_ExtendedExpiry_Invalid()
    {
        // Arrange: the recipient tries to keep an expired link alive
        var signer = Signer();
        var parts = signer.Sign(Token()).Split('.');
        var payload = JsonNode.Parse(FromBase64Url(parts[0]))!;
        payload["e"] = Now.AddYears(1).ToUnixTimeSeconds();
        var tampered = ToBase64Url(Encoding.UTF8.GetBytes(payload.ToJsonString())) + "." + parts[1];

        // Act
        var problem = signer.TryRead(tampered, LinkPurpose.Approval, out _);

        // Assert
        Assert.Equal(LinkProblem.Invalid, problem);
    }

    [Fact]
    public void TryRead_TamperedSignature_Invalid()
    {
        // Arrange
        var signer = Signer();
        var parts = signer.Sign(Token()).Split('.');
        var signature = FromBase64Url(parts[1]);
        signature[0] ^= 0x01;

        // Act
        var problem = signer.TryRead(parts[0] + "." + ToBase64Url(signature), LinkPurpose.Approval, out var read);

        // Assert
        Assert.Equal(LinkProblem.Invalid, problem);
        Assert.Null(read);
    }

    [Fact]
    public void TryRead_TruncatedSignature_Invalid()
    {
        // Arrange
        var signer = Signer();
        var text = signer.Sign(Token());

        // Act
        var problem = signer.TryRead(text[..^4], LinkPurpose.Approval, out _);

        // Assert
        Assert.Equal(LinkProblem.Invalid, problem);
    }

    [Fact]
    public void TryRead_SignedWithAnotherKey_Invalid()
    {
        // Arrange
        var text = Signer("another-signing-key-0123456789abcdefghij").Sign(Token());

        // Act
        var problem = Signer().TryRead(text, LinkPurpose.Approval, out _);

        // Assert
        Assert.Equal(LinkProblem.Invalid, problem);
    }

    [Theory]
    [InlineData(LinkPurpose.Approval, LinkPurpose.InitialPassword)]
    [InlineData(LinkPurpose.InitialPassword, LinkPurpose.Approval)]
    public void TryRead_OtherPurpose_Invalid(LinkPurpose signedFor, LinkPurpose readAs)
    {
        // Arrange
        var signer = Signer();
        var text = signer.Sign(Token(signedFor));

        // Act
        var problem = signer.TryRead(text, readAs, out var read);

        // Assert
        Assert.Equal(LinkProblem.Invalid, problem);
        Assert.Null(read);
    }

    [Fact]
    public void TryRead_AfterExpiry_Expired()
    {
        // Arrange
        var signer = Signer();
        var text = signer.Sign(Token());
        _clock.Advance(TimeSpan.FromDays(14) + TimeSpan.FromSeconds(1));

        // Act
        var problem = signer.TryRead(text, LinkPurpose.Approval, out var read);

        // Assert
        Assert.Equal(LinkProblem.Expired, problem);
        Assert.Equal("ORD-1", read?.Subject);
    }

    [Fact]
    public void TryRead_AtExpiryInstant_Expired()
    {
        // Arrange
        var signer = Signer();
        var text = signer.Sign(Token());
        _clock.Now = Now.AddDays(14);

        // Act
        var problem = signer.TryRead(text, LinkPurpose.Approval, out _);

        // Assert
        Assert.Equal(LinkProblem.Expired, problem);
    }

    [Fact]
    public void TryRead_SecondBeforeExpiry_None()
    {
        // Arrange
        var signer = Signer();
        var text = signer.Sign(Token());
        _clock.Now = Now.AddDays(14).AddSeconds(-1);

        // Act
        var problem = signer.TryRead(text, LinkPurpose.Approval, out _);

        // Assert
        Assert.Equal(LinkProblem.None, problem);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a.b.c")]
    [InlineData("!!!.???")]
    [InlineData("e30.e30")]
    [InlineData("bm90IGpzb24.AAAA")]
    [InlineData("%%%%.%%%%")]
    [InlineData("a")]
    [InlineData("abcde.fghij")]
    public void TryRead_Garbage_Invalid(string? text)
    {
        // Arrange
        var signer = Signer();

        // Act
        var problem = signer.TryRead(text, LinkPurpose.Approval, out var read);

        // Assert
        Assert.Equal(LinkProblem.Invalid, problem);
        Assert.Null(read);
    }

    [Fact]
    public void TryRead_VeryLongText_Invalid()
    {
        // Arrange
        var signer = Signer();

        // Act
        var problem = signer.TryRead(new string('A', 10_000) + "." + new string('A', 10_000), LinkPurpose.Approval, out _);

        // Assert
        Assert.Equal(LinkProblem.Invalid, problem);
    }

    [Fact]
    public void TryRead_SignedPayloadThatIsNotJson_Invalid()
    {
        // Arrange: a correct signature over bytes that are not a token (only the key holder could make it)
        var signer = Signer();
        var valid = signer.Sign(Token()).Split('.');
        var notJson = Encoding.UTF8.GetBytes("not json");

        // Act
        var problem = signer.TryRead(ToBase64Url(notJson) + "." + valid[1], LinkPurpose.Approval, out _);

        // Assert
        Assert.Equal(LinkProblem.Invalid, problem);
    }

    [Fact]
    public void Sign_SameTokenTwice_DifferentTextsBothValid()
    {
        // Arrange
        var signer = Signer();
        var token = Token();

        // Act
        var first = signer.Sign(token);
        var second = signer.Sign(token);

        // Assert
        Assert.NotEqual(first, second);
        Assert.Equal(LinkProblem.None, signer.TryRead(first, LinkPurpose.Approval, out _));
        Assert.Equal(LinkProblem.None, signer.TryRead(second, LinkPurpose.Approval, out _));
    }
}
