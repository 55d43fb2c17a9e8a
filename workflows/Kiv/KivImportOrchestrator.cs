using Microsoft.DurableTask;

namespace Behorighetsportal.Kiv;

public sealed record KivImportInput(string ImportId, IReadOnlyDictionary<string, int> Chunks);

public sealed record KivChunk(string ImportId, string Section, int Chunk);

public sealed record KivChunkResult(int Changed, int PolicyChanges);

/// <summary>
/// A KiV batch, instance id = import id: units, then people, then engagements (each may refer to the ones
/// before), a few chunks at a time; the engagement chunks also run the assignment policies for what changed
/// (R5). Idempotent end to end: an unchanged row is not written, a finished chunk is counted once.
/// </summary>
public sealed class KivImportOrchestrator : TaskOrchestrator<KivImportInput, KivChunkResult>
{
    /// <summary>Chunks in flight at once: enough to keep storage busy, few enough for 2 cores and Azurite.</summary>
    private const int Parallelism = 4;

    public override async Task<KivChunkResult> RunAsync(TaskOrchestrationContext context, KivImportInput input)
    {
        var changed = 0;
        var policyChanges = 0;
        foreach (var section in KivSections.InOrder)
        {
            var count = input.Chunks.GetValueOrDefault(section);
            for (var start = 0; start < count; start += Parallelism)
            {
                var results = await Task.WhenAll(Enumerable.Range(start, Math.Min(Parallelism, count - start))
                    .Select(n => context.CallActivityAsync<KivChunkResult>(nameof(ApplyKivChunkActivity), new KivChunk(input.ImportId, section, n))));
                changed += results.Sum(r => r.Changed);
                policyChanges += results.Sum(r => r.PolicyChanges);
            }
        }

        await context.CallActivityAsync(nameof(CompleteKivImportActivity), input.ImportId);
        return new KivChunkResult(changed, policyChanges);
    }
}
