using Microsoft.DurableTask;

namespace Behorighetsportal.Functions;

/// <summary>
/// The context a class-based activity expects, as the Durable Task source generator would make it (the
/// generator package is not available here, so the wrappers are written by hand).
/// </summary>
internal sealed class ActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    public override TaskName Name => name;

    public override string InstanceId => instanceId;
}
