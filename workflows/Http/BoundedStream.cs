namespace Behorighetsportal.Http;

/// <summary>The body was longer than its route takes.</summary>
public sealed class BodyTooLargeException(long limit) : IOException($"The body is longer than {limit} bytes.")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// A request body read no further than its limit: a body without Content-Length (chunked) is refused after at most
/// limit + 1 bytes instead of being read whole first. Throws <see cref="BodyTooLargeException"/> past the limit.
/// </summary>
public sealed class BoundedStream(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, Window(count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer[..Window(buffer.Length)], cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>One byte past the limit is asked for, so a body of exactly the limit is told from a longer one.</summary>
    private int Window(int wanted) => (int)Math.Min(wanted, Math.Max(0, limit + 1 - _read));

    private int Count(int read)
    {
        _read += read;
        return _read > limit ? throw new BodyTooLargeException(limit) : read;
    }
}
