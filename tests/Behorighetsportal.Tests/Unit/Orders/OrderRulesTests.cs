using Behorighetsportal.Directory;
using Behorighetsportal.Orders;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Orders;

public sealed class OrderRulesTests
{
    // The limits OrderEndpoints passes (its constants are private).
    private const int MaxDaysAhead = Behorighetsportal.Directory.DateWindow.MaxDaysAhead;
    private const int MaxCommentLength = 1000;

    private static readonly ServiceLevelCatalog Levels = A.Levels();

    private static Microsoft.AspNetCore.Http.IResult? Validate(PlaceOrderRequest body) =>
        OrderRules.ValidateFields(body, Levels, A.Today, MaxCommentLength, out _, out _);

    private static async Task<WrittenResponse> AssertBadRequestAsync(PlaceOrderRequest body, params string[] expectedKeys)
    {
        var result = Validate(body);
        Assert.NotNull(result);
        var response = await WrittenResponse.ExecuteAsync(result);
        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("Beställningen är inte komplett", response.Text("title"));
        Assert.StartsWith("Rätta de markerade fälten och skicka beställningen igen:", response.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(expectedKeys.Order(StringComparer.Ordinal), response.ErrorKeys());
        return response;
    }

    [Fact]
    public void ActivationDate_OrderStartAfterEngagementStart_OrderStart()
    {
        // Arrange
        var engagement = A.Engagement(start: new DateOnly(2026, 1, 1));

        // Act
        var activation = OrderRules.ActivationDate(new DateOnly(2026, 3, 10), engagement);

        // Assert
        Assert.Equal(new DateOnly(2026, 3, 10), activation);
    }

    [Fact]
    public void ActivationDate_OrderStartBeforeEngagementStart_EngagementStart()
    {
        // Arrange: demo Cecilia starts in 14 days, the order says today (R4)
        var engagement = A.Engagement(start: A.Today.AddDays(14));

        // Act
        var activation = OrderRules.ActivationDate(A.Today, engagement);

        // Assert
        Assert.Equal(A.Today.AddDays(14), activation);
    }

    [Fact]
    public void ActivationDate_SameDay_ThatDay()
    {
        // Arrange
        var engagement = A.Engagement(start: A.Today);

        // Act
        var activation = OrderRules.ActivationDate(A.Today, engagement);

        // Assert
        Assert.Equal(A.Today, activation);
    }

    [Fact]
    public void ValidateFields_ValidInput_NullAndOutputsLevelAndDate()
    {
        // Arrange
        var body = A.OrderRequest(level: "Utökad", startDate: "2026-03-10", comment: "Ny tjänst");

        // Act
        var result = OrderRules.ValidateFields(body, Levels, A.Today, MaxCommentLength, out var level, out var startDate);

        // Assert
        Assert.Null(result);
        Assert.Equal("Utökad", level?.Level);
        Assert.Equal(new DateOnly(2026, 3, 10), startDate);
    }

    [Fact]
    public void ValidateFields_StartToday_Null()
    {
        // Arrange
        var body = A.OrderRequest(startDate: "2026-03-02");

        // Act
        var result = Validate(body);

        // Assert
        Assert.Null(result);
    }

    [Fact]
    public void ValidateFields_StartAtLimitAndCommentAtLimit_Null()
    {
        // Arrange
        var body = A.OrderRequest(startDate: A.Today.AddDays(MaxDaysAhead).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), comment: new string('x', MaxCommentLength));

        // Act
        var result = Validate(body);

        // Assert
        Assert.Null(result);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task ValidateFields_MissingIdentityId_BadRequestOnIdentityId(string? identityId)
    {
        // Arrange
        var body = A.OrderRequest(identityId: identityId);

        // Act
        var response = await AssertBadRequestAsync(body, "identityId");

        // Assert
        Assert.Contains("Ange medarbetarens HSA-id.", response.Text("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateFields_IdentityIdTooLong_BadRequestOnIdentityId()
    {
        // Arrange
        var body = A.OrderRequest(identityId: new string('E', 65));

        // Act / Assert
        await AssertBadRequestAsync(body, "identityId");
    }

    [Fact]
    public async Task ValidateFields_MissingEngagementId_BadRequestOnEngagementId()
    {
        // Arrange
        var body = A.OrderRequest(engagementId: null);

        // Act / Assert
        await AssertBadRequestAsync(body, "engagementId");
    }

    [Theory]
    [InlineData("Guld")]
    [InlineData("Premium")]
    [InlineData(null)]
    public async Task ValidateFields_UnknownLevel_BadRequestNamingTheLevels(string? level)
    {
        // Arrange
        var body = A.OrderRequest(level: level);

        // Act
        var response = await AssertBadRequestAsync(body, "level");

        // Assert
        Assert.Contains("Okänd nivå", response.Text("detail"), StringComparison.Ordinal);
        Assert.Contains("Bas, Standard, Utökad", response.Text("detail"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-13-01")]
    [InlineData("2026-02-30")]
    [InlineData("10/03/2026")]
    [InlineData("2026-3-10")]
    [InlineData("")]
    [InlineData(null)]
    public async Task ValidateFields_MalformedDate_BadRequestOnStartDate(string? startDate)
    {
        // Arrange
        var body = A.OrderRequest(startDate: startDate);

        // Act
        var response = await AssertBadRequestAsync(body, "startDate");

        // Assert
        Assert.Contains("ÅÅÅÅ-MM-DD", response.Text("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateFields_DateInThePast_BadRequestOnStartDate()
    {
        // Arrange
        var body = A.OrderRequest(startDate: "2026-03-01");

        // Act
        var response = await AssertBadRequestAsync(body, "startDate");

        // Assert
        Assert.Contains("Startdatum kan inte ligga i det förflutna", response.Text("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateFields_DateMoreThanAYearAhead_BadRequestOnStartDate()
    {
        // Arrange
        var body = A.OrderRequest(startDate: A.Today.AddDays(MaxDaysAhead + 1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

        // Act
        var response = await AssertBadRequestAsync(body, "startDate");

        // Assert
        Assert.Contains("högst ett år fram i tiden", response.Text("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateFields_CommentTooLong_BadRequestOnComment()
    {
        // Arrange
        var body = A.OrderRequest(comment: new string('x', MaxCommentLength + 1));

        // Act
        var response = await AssertBadRequestAsync(body, "comment");

        // Assert
        Assert.Contains("Kommentaren får vara högst 1000 tecken.", response.Text("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateFields_SeveralBadFields_EveryFieldInErrors()
    {
        // Arrange
        var body = new PlaceOrderRequest(null, null, "Guld", "2026-13-01", new string('x', MaxCommentLength + 1));

        // Act
        var response = await AssertBadRequestAsync(body, "identityId", "engagementId", "level", "startDate", "comment");

        // Assert: each field's message is an array with one Swedish sentence
        var errors = response.Body.GetProperty("errors");
        Assert.Equal("Ange medarbetarens HSA-id.", errors.GetProperty("identityId")[0].GetString());
        Assert.Equal(400, response.Body.GetProperty("status").GetInt32());
    }
}
