namespace Behorighetsportal.Orders;

/// <summary>How long people and systems get to answer. Read when an order is placed.</summary>
public sealed class WorkflowOptions
{
    public const string SectionName = "Workflow";

    public TimeSpan ApprovalReminderAfter { get; set; } = TimeSpan.FromDays(3);

    public TimeSpan ApprovalExpiresAfter { get; set; } = TimeSpan.FromDays(14);

    public TimeSpan AttestationExpiresAfter { get; set; } = TimeSpan.FromDays(30);
}
