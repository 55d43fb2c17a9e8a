using Behorighetsportal.Directory;
using Microsoft.Azure.Functions.Worker;

namespace Behorighetsportal.Functions.Directory;

/// <summary>
/// Indexes for the people search what was stored before the index existed (DirectoryRepository.BackfillPersonIndexAsync):
/// at 01:30 UTC, after the nightly reconciliation has started. Once the index is marked built this is one point read.
/// Until then the search reads the orderer's units as before.
/// </summary>
public sealed class PersonIndexFunctions(DirectoryRepository directory)
{
    [Function("PersonIndexBackfill")]
    public Task<bool> Backfill([TimerTrigger("0 30 1 * * *")] TimerInfo timer, FunctionContext function) =>
        directory.BackfillPersonIndexAsync(function.CancellationToken);
}
