using Azure;
using Azure.Data.Tables;

namespace Behorighetsportal.Storage;

/// <summary>
/// Read, decide, write-if-unchanged, and on a lost race read and decide again: how every record that two writers
/// can meet on (an order, a request, a delegation) changes, so "the first decision wins" holds in storage.
/// </summary>
public static class ConditionalUpdate
{
    private const int MaxAttempts = 10;

    /// <summary>
    /// Applies <paramref name="change"/> to the row's current value; null from it means "leave as is". Returns the
    /// value as it now stands and whether this call wrote it. A row given as <paramref name="alongside"/> (in the
    /// same partition) is added in the same transaction as the change, or not at all.
    /// </summary>
    public static async Task<(T Value, bool Changed)> ApplyAsync<T>(
        TableClient table, string partitionKey, string rowKey,
        Func<TableEntity, T> read, Func<T, TableEntity> write, Func<T, T?> change, CancellationToken cancellationToken,
        TableEntity? alongside = null, TableEntity? known = null)
        where T : class
    {
        for (var attempt = 1; ; attempt++)
        {
            // A row the caller has just read (with its ETag) saves the first read; if it has changed since, the
            // write is refused and the loop reads afresh. Callers' changes are monotonic (a decision once made stays,
            // a status only moves on), so "leave as is" decided on that row holds for the stored one too.
            var row = attempt == 1 && known is not null
                ? known
                : (await table.GetEntityAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken)).Value;
            var current = read(row);
            if (change(current) is not { } changed)
            {
                return (current, false);
            }

            try
            {
                if (alongside is null)
                {
                    await table.UpdateEntityAsync(write(changed), row.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    await table.SubmitTransactionAsync(
                        [new(TableTransactionActionType.UpdateReplace, write(changed), row.ETag), new(TableTransactionActionType.Add, alongside)],
                        cancellationToken);
                }

                return (changed, true);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < MaxAttempts)
            {
                // Someone else wrote in between: read again and decide again. (A failed transaction reports the
                // status of the action that failed.)
            }
        }
    }
}
