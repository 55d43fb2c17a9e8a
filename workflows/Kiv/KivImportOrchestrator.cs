using Behorighetsportal.Durable;
using Behorighetsportal.Policies;
using Microsoft.DurableTask;

namespace Behorighetsportal.Kiv;

public sealed record KivImportInput(string ImportId, IReadOnlyDictionary<string, int> Chunks);

/// <summary>Chunks <c>Chunk</c> to <c>Chunk + Count - 1</c> of a section, applied by one activity.</summary>
public sealed record KivChunk(string ImportId, string Section, int Chunk, int Count = 1);

/// <summary>What chunks changed; <see cref="DueNow"/> are the policy orders they placed whose start date has come.</summary>
public sealed record KivChunkResult(int Changed, int PolicyChanges, IReadOnlyList<string>? DueNow = null);

/// <summary>
/// A KiV batch, instance id = import id: units, then people, then engagements (each may refer to the ones
/// before), a few chunks at a time; the engagement chunks also run the assignment policies for what changed
/// (R5). Policy orders whose start date has come are activated right after the chunk that placed them, many per
/// activity, so the import is complete when the people it brought in have their user services and their managers
/// the password emails. Idempotent end to end: an unchanged row is not written, a finished chunk is counted once.
/// </summary>
public sealed class KivImportOrchestrator : TaskOrchestrator<KivImportInput, KivChunkResult>
{
    /// <summary>
    /// Activities in flight at once: each keeps a few storage requests going itself, so a handful keep storage busy
    /// and leave room for 2 cores and Azurite.
    /// </summary>
    private const int Parallelism = 4;

    /// <summary>
    /// Chunks per activity: fewer, larger activities keep the orchestration's history short (every step replays it,
    /// and the region's 55 000 people are over a thousand chunks).
    /// </summary>
    public const int ChunksPerActivity = 8;

    /// <summary>Policy orders per activation activity: a few seconds of work, a small activity input.</summary>
    public const int OrdersPerActivation = 100;

    public override async Task<KivChunkResult> RunAsync(TaskOrchestrationContext context, KivImportInput input)
    {
        var changed = 0;
        var policyChanges = 0;
        foreach (var section in KivSections.InOrder)
        {
            var count = input.Chunks.GetValueOrDefault(section);
            var work = Enumerable.Range(0, (count + ChunksPerActivity - 1) / ChunksPerActivity)
                .Select(n => new KivChunk(input.ImportId, section, n * ChunksPerActivity, Math.Min(ChunksPerActivity, count - n * ChunksPerActivity)))
                .ToList();

            // A sliding window: a new activity starts as soon as one finishes, not when the slowest of a group does.
            List<Task<KivChunkResult>> running = [];
            foreach (var chunk in work)
            {
                if (running.Count == Parallelism)
                {
                    var done = await Task.WhenAny(running);
                    running.Remove(done);
                    (changed, policyChanges) = (changed + done.Result.Changed, policyChanges + done.Result.PolicyChanges);
                }

                running.Add(ApplyAsync(context, chunk));
            }

            foreach (var result in await Task.WhenAll(running))
            {
                (changed, policyChanges) = (changed + result.Changed, policyChanges + result.PolicyChanges);
            }
        }

        await context.CallActivityAsync(nameof(CompleteKivImportActivity), input.ImportId, ActivityRetry.Options);
        return new KivChunkResult(changed, policyChanges);
    }

    /// <summary>Applies the chunks, then activates the policy orders they placed that are due now.</summary>
    private static async Task<KivChunkResult> ApplyAsync(TaskOrchestrationContext context, KivChunk chunk)
    {
        var result = await context.CallActivityAsync<KivChunkResult>(nameof(ApplyKivChunkActivity), chunk, ActivityRetry.Options);
        foreach (var due in (result.DueNow ?? []).Chunk(OrdersPerActivation))
        {
            await context.CallActivityAsync<int>(nameof(ActivatePolicyOrdersActivity), new PolicyActivationBatch(due, context.CurrentUtcDateTime), ActivityRetry.Options);
        }

        return result;
    }
}
