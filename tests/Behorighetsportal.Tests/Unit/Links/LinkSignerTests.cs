using System.Text;
using System.Text.Json.Nodes;
using Behorighetsportal.Links;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Links;

public sealed class LinkSignerTests
{
    private const string OldKey = "old-signing-key-0123456789abcdefghijkl";
    private const string NewKey = "new-signing-key-0123456789abcdefghijkl";

    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeClock _clock = new(Now);

    private LinkSigner Signer(string signingKey = A.SigningKey, string previous = "") => new(A.KeyRing(signingKey, previous), _clock);

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
        Assert.Matches("^[0-9a-f]{8}\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", text);
    }

    [Fact]
    public void TryRead_TamperedPayload_Invalid()
    {
        // Arrange: a well-formed payload for another order, with the original signature
        var signer = Signer();
        var parts = signer.Sign(Token(subject: "ORD-1")).Split('.');
        var payload = JsonNode.Parse(FromBase64Url(parts[1]))!;
        payload["s"] = "ORD-2";
        var tampered = parts[0] + "." + ToBase64Url(Encoding.UTF8.GetBytes(payload.ToJsonString())) + "." + parts[2];

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
        var payload = JsonNode.Parse(FromBase64Url(parts[1]))!;
        payload["e"] = Now.AddYears(1).ToUnixTimeSeconds();
        var tampered = parts[0] + "." + ToBase64Url(Encoding.UTF8.GetBytes(payload.ToJsonString())) + "." + parts[2];

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
        var signature = FromBase64Url(parts[2]);
        signature[0] ^= 0x01;

        // Act
        var problem = signer.TryRead(parts[0] + "." + parts[1] + "." + ToBase64Url(signature), LinkPurpose.Approval, out var read);

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
        var problem = signer.TryRead(valid[0] + "." + ToBase64Url(notJson) + "." + valid[2], LinkPurpose.Approval, out _);

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

    [Fact]
    public void TryRead_SignedUnderKeyNowPrevious_None()
    {
        // Arrange: a link mailed before the rotation, read after it (new key current, old one previous)
        var text = Signer(OldKey).Sign(Token());

        // Act
        var problem = Signer(NewKey, previous: OldKey).TryRead(text, LinkPurpose.Approval, out var read);

        // Assert
        Assert.Equal(LinkProblem.None, problem);
        Assert.Equal(Token(), read);
    }

    [Fact]
    public void TryRead_SignedUnderKeyRemovedFromPrevious_Invalid()
    {
        // Arrange
        var text = Signer(OldKey).Sign(Token());

        // Act
        var problem = Signer(NewKey, previous: "third-signing-key-0123456789abcdefghij").TryRead(text, LinkPurpose.Approval, out var read);

        // Assert
        Assert.Equal(LinkProblem.Invalid, problem);
        Assert.Null(read);
    }

    [Fact]
    public void Sign_WithPreviousKeys_SignsUnderCurrentKeyAndNamesItById()
    {
        // Arrange
        var signer = Signer(NewKey, previous: OldKey);

        // Act
        var text = signer.Sign(Token());

        // Assert: the id names the current key without containing any of it, and only the current key reads it.
        Assert.Equal(SigningKeyRing.IdOf(NewKey), text.Split('.')[0]);
        Assert.DoesNotContain(text.Split('.')[0], Convert.ToHexStringLower(Encoding.UTF8.GetBytes(NewKey)), StringComparison.Ordinal);
        Assert.Equal(LinkProblem.None, Signer(NewKey).TryRead(text, LinkPurpose.Approval, out _));
        Assert.Equal(LinkProblem.Invalid, Signer(OldKey).TryRead(text, LinkPurpose.Approval, out _));
    }

    [Fact]
    public void TryRead_KeyIdOfAnotherAcceptedKey_Invalid()
    {
        // Arrange: a genuine token relabelled with the other accepted key's id
        var signer = Signer(NewKey, previous: OldKey);
        var parts = signer.Sign(Token()).Split('.');

        // Act
        var problem = signer.TryRead(SigningKeyRing.IdOf(OldKey) + "." + parts[1] + "." + parts[2], LinkPurpose.Approval, out _);

        // Assert
        Assert.Equal(LinkProblem.Invalid, problem);
    }

    [Theory]
    [InlineData(NewKey, "")]
    [InlineData(NewKey, OldKey)]
    public void TryRead_TokenFromBeforeKeyIds_ReadUnderAnyAcceptedKey(string current, string previous)
    {
        // Arrange: a token as signed before key ids (payload.signature), under the key that was current then
        var legacy = LegacyToken(previous.Length > 0 ? previous : current, Token());

        // Act
        var problem = Signer(current, previous).TryRead(legacy, LinkPurpose.Approval, out var read);

        // Assert
        Assert.Equal(LinkProblem.None, problem);
        Assert.Equal(Token(), read);
    }

    [Fact]
    public void TryRead_TokenFromBeforeKeyIdsUnderNoAcceptedKey_Invalid()
    {
        // Act
        var problem = Signer(NewKey).TryRead(LegacyToken(OldKey, Token()), LinkPurpose.Approval, out _);

        // Assert
        Assert.Equal(LinkProblem.Invalid, problem);
    }

    /// <summary>A token made the way LinkSigner made them before key ids: <c>{payload}.{signature}</c>.</summary>
    private static string LegacyToken(string signingKey, LinkToken token)
    {
        var key = System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256,
            Encoding.UTF8.GetBytes(signingKey), 32, info: "behorighetsportal/links/v1"u8.ToArray());
        var payload = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["p"] = token.Purpose.ToString(),
            ["s"] = token.Subject,
            ["r"] = token.Recipient,
            ["e"] = token.ExpiresAt.ToUnixTimeSeconds(),
            ["n"] = "0123456789abcdef",
        }.ToJsonString());
        return ToBase64Url(payload) + "." + ToBase64Url(System.Security.Cryptography.HMACSHA256.HashData(key, payload));
    }
}
