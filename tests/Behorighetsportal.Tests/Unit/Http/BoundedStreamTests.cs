using Behorighetsportal.Http;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Http;

public sealed class BoundedStreamTests
{
    [Fact]
    public async Task ReadAsync_EndlessBody_ThrowsAfterReadingAtMostLimitPlusOneBytes()
    {
        // Arrange: a body that never ends, as a chunked upload can be.
        var inner = new EndlessStream();
        var bounded = new BoundedStream(inner, limit: 1000);

        // Act
        var thrown = await Assert.ThrowsAsync<BodyTooLargeException>(() => bounded.CopyToAsync(Stream.Null));

        // Assert
        Assert.Equal(1000, thrown.Limit);
        Assert.Equal(1001, inner.BytesRead);
    }

    [Fact]
    public async Task ReadAsync_BodyOfExactlyTheLimit_ReadsItWhole()
    {
        // Arrange
        var bounded = new BoundedStream(new MemoryStream(new byte[1000]), limit: 1000);
        using var copy = new MemoryStream();

        // Act
        await bounded.CopyToAsync(copy);

        // Assert
        Assert.Equal(1000, copy.Length);
    }

    private sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            BytesRead += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
