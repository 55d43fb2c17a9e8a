using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

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

/// <summary>Runs a class-based activity from its hand-written [Function] wrapper, with its dependencies from the container.</summary>
internal static class Activity
{
    public static Task<TOutput> RunAsync<TActivity, TInput, TOutput>(TInput input, string instanceId, FunctionContext function)
        where TActivity : TaskActivity<TInput, TOutput> =>
        ActivatorUtilities.GetServiceOrCreateInstance<TActivity>(function.InstanceServices)
            .RunAsync(new ActivityContext(typeof(TActivity).Name, instanceId), input);
}
