namespace Behorighetsportal.Bench.Lifecycle;

/// <summary>
/// Polls a condition the way a client watching a status page would: often at first, backing off to a cap, so short
/// waits are measured finely without hammering the host during long ones. Counts its reads, whose storage cost is
/// the benchmark's, not the lifecycle's.
/// </summary>
internal sealed class Poller(TimeSpan timeout)
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Cap = TimeSpan.FromMilliseconds(100);
    private long _polls;

    public long Polls => Interlocked.Read(ref _polls);

    public async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + timeout;
        var interval = First;
        while (true)
        {
            Interlocked.Increment(ref _polls);
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"A condition did not hold within {timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(interval);
            interval = TimeSpan.FromTicks(Math.Min(Cap.Ticks, interval.Ticks * 2));
        }
    }
}
