using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.DurableTask.Protobuf;

namespace Behorighetsportal.DevHost.Durable;

/// <summary>
/// Calls the sidecar's gRPC service directly, in this process, instead of over HTTP/2 on loopback: the worker and
/// client of <see cref="DurableEngineServiceCollectionExtensions.AddDurableEngine"/> talk to the sidecar through it.
/// </summary>
/// <remarks>
/// <para>Why: every work item the engine runs is two gRPC exchanges (the item on the worker's stream, its completion as
/// a unary call) and every client request one more. Over HTTP/2 each costs sockets, frames, flow control and
/// contended connection locks; measured on 2 cores that transport took most of the CPU and held the engine baseline
/// (16 work items per skeleton) to about 100 skeletons/s. Here a call is a method call on the service object.</para>
/// <para>What a network would give is kept: messages are deep-copied in both directions
/// (neither side can see the other's later changes to a message), a handler's exception reaches the caller as the
/// <see cref="RpcException"/> gRPC would produce, cancellation and deadlines cancel the handler's
/// <see cref="ServerCallContext.CancellationToken"/>, the handler runs without the caller's execution context
/// (AsyncLocal state, activities), and a stream the caller dropped refuses further writes with the message Kestrel
/// uses, which the sidecar's own clean-up watches for. The sidecar keeps listening on its port for other clients.</para>
/// </remarks>
internal sealed class InProcessCallInvoker : CallInvoker
{
    readonly Func<TaskHubSidecarService.TaskHubSidecarServiceBase?> service;
    Bound? bound;

    /// <param name="service">The running sidecar's service, or null while none runs; read on every call, so the
    /// invoker can be handed to a worker or client before the sidecar has started.</param>
    public InProcessCallInvoker(Func<TaskHubSidecarService.TaskHubSidecarServiceBase?> service)
    {
        ArgumentNullException.ThrowIfNull(service);
        this.service = service;
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        this.AsyncUnaryCall(method, host, options, request).ResponseAsync.GetAwaiter().GetResult();

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var handler = this.Handler<UnaryServerMethod<TRequest, TResponse>>(method);
        var call = new Call(method.FullName, options);
        Task<TResponse> response = call.RunUnaryAsync(handler, request);
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var handler = this.Handler<ServerStreamingServerMethod<TRequest, TResponse>>(method);
        var call = new Call(method.FullName, options);
        var stream = new MessageStream<TResponse>(call);
        call.RunServerStreaming(handler, request, stream);
        return new AsyncServerStreamingCall<TResponse>(stream, Task.FromResult(new Metadata()), call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, $"{method.FullName}: client streaming is not served in-process."));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, $"{method.FullName}: duplex streaming is not served in-process."));

    THandler Handler<THandler>(IMethod method)
        where THandler : Delegate
    {
        TaskHubSidecarService.TaskHubSidecarServiceBase service = this.service()
            ?? throw new RpcException(new Status(StatusCode.Unavailable, "The durable sidecar has not started yet."));
        Bound? bound = Volatile.Read(ref this.bound);
        if (bound is null || !ReferenceEquals(bound.Service, service))
        {
            var handlers = new Dictionary<string, Delegate>(StringComparer.Ordinal);
            TaskHubSidecarService.BindService(new Binder(handlers), service);
            bound = new Bound(service, handlers);
            Volatile.Write(ref this.bound, bound);
        }

        return bound.Handlers.TryGetValue(method.FullName, out Delegate? handler) && handler is THandler typed
            ? typed
            : throw new RpcException(new Status(StatusCode.Unimplemented, $"Method {method.FullName} is not served by the sidecar."));
    }

    sealed record Bound(TaskHubSidecarService.TaskHubSidecarServiceBase Service, Dictionary<string, Delegate> Handlers);

    /// <summary>A copy of its own for the other end, as a connection would give it (every protobuf message deep-clones).</summary>
    static T Copy<T>(T message) => message is IDeepCloneable<T> cloneable
        ? cloneable.Clone()
        : throw new RpcException(new Status(StatusCode.Internal, $"{typeof(T).Name} is not a protobuf message."));

    /// <summary>One call: the server side's context, cancelled by the caller's token, its deadline or disposal.</summary>
    sealed class Call : ServerCallContext, IDisposable
    {
        readonly string method;
        readonly DateTime deadline;
        readonly Metadata requestHeaders;
        readonly CancellationToken callerToken;
        readonly CancellationTokenSource cancellation;
        readonly CancellationToken token;
        readonly Metadata trailers = [];
        Status status;

        public Call(string method, CallOptions options)
        {
            this.method = method;
            this.deadline = options.Deadline ?? DateTime.MaxValue;
            this.requestHeaders = options.Headers ?? [];
            this.callerToken = options.CancellationToken;
            this.cancellation = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
            this.token = this.cancellation.Token;
            if (options.Deadline is { } at)
            {
                this.cancellation.CancelAfter(Clamp(at.ToUniversalTime() - DateTime.UtcNow));
            }
        }

        public Status GetStatus() => this.status;

        public Metadata GetTrailers() => this.trailers;

        /// <summary>The caller is done with the call: a handler still running is cancelled.</summary>
        public void Dispose()
        {
            try
            {
                this.cancellation.Cancel();
                this.cancellation.Dispose();
            }
            catch (ObjectDisposedException)
            {
                // A unary call already finished and released its token source.
            }
        }

        public async Task<TResponse> RunUnaryAsync<TRequest, TResponse>(UnaryServerMethod<TRequest, TResponse> handler, TRequest request)
            where TRequest : class
            where TResponse : class
        {
            try
            {
                Task<TResponse> handling;
                using (ExecutionContext.SuppressFlow())
                {
                    handling = Task.Run(() => handler(Copy(request), this));
                }

                // A caller that gives up is answered at once, as over a network, whatever the handler does.
                TResponse response = await handling.WaitAsync(this.token);
                this.status = Status.DefaultSuccess;
                return Copy(response);
            }
            catch (Exception e)
            {
                RpcException failure = this.ToRpcException(e);
                this.status = failure.Status;
                throw failure;
            }
            finally
            {
                // Unlinks from the caller's token, which may be long-lived (a worker's shutdown token).
                this.cancellation.Dispose();
            }
        }

        public void RunServerStreaming<TRequest, TResponse>(ServerStreamingServerMethod<TRequest, TResponse> handler, TRequest request, MessageStream<TResponse> stream)
            where TRequest : class
            where TResponse : class
        {
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await handler(Copy(request), stream, this);
                        this.status = Status.DefaultSuccess;
                        stream.Complete(null);
                    }
                    catch (Exception e)
                    {
                        RpcException failure = this.ToRpcException(e);
                        this.status = failure.Status;
                        stream.Complete(failure);
                    }
                });
            }
        }

        public RpcException ToRpcException(Exception e) => e switch
        {
            RpcException rpc => rpc,
            OperationCanceledException when this.callerToken.IsCancellationRequested => new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client.")),
            OperationCanceledException when this.token.IsCancellationRequested && DateTime.UtcNow >= this.deadline.ToUniversalTime() =>
                new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline exceeded.")),
            OperationCanceledException when this.token.IsCancellationRequested => new RpcException(new Status(StatusCode.Cancelled, "Call canceled.")),

            // What Grpc.AspNetCore answers for any other exception from a handler.
            _ => new RpcException(new Status(StatusCode.Unknown, "Exception was thrown by handler. " + e.GetType().Name + ": " + e.Message, e)),
        };

        static TimeSpan Clamp(TimeSpan wait) =>
            wait <= TimeSpan.Zero ? TimeSpan.Zero : wait > TimeSpan.FromDays(1) ? Timeout.InfiniteTimeSpan : wait;

        protected override string MethodCore => this.method;

        protected override string HostCore => "in-process";

        protected override string PeerCore => "in-process";

        protected override DateTime DeadlineCore => this.deadline;

        protected override Metadata RequestHeadersCore => this.requestHeaders;

        protected override CancellationToken CancellationTokenCore => this.token;

        protected override Metadata ResponseTrailersCore => this.trailers;

        protected override Status StatusCore { get => this.status; set => this.status = value; }

        protected override WriteOptions? WriteOptionsCore { get; set; }

        protected override AuthContext AuthContextCore { get; } = new(null, []);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
            throw new NotSupportedException("Context propagation is not supported in-process.");

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }

    /// <summary>The server's writer and the caller's reader of one server-streaming call.</summary>
    sealed class MessageStream<T>(Call call) : IServerStreamWriter<T>, IAsyncStreamReader<T>
    {
        readonly Channel<T> messages = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true });

        public WriteOptions? WriteOptions { get; set; }

        public T Current { get; private set; } = default!;

        public Task WriteAsync(T message)
        {
            // Kestrel's words: the sidecar recognises a dropped work-item stream by them and resets its connection state.
            if (call.CancellationToken.IsCancellationRequested || !this.messages.Writer.TryWrite(Copy(message)))
            {
                throw new InvalidOperationException("Can't write the message because the request is complete.");
            }

            return Task.CompletedTask;
        }

        public void Complete(RpcException? failure) => this.messages.Writer.TryComplete(failure);

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.CancellationToken);
            try
            {
                if (await this.messages.Reader.WaitToReadAsync(both.Token) && this.messages.Reader.TryRead(out T? message))
                {
                    this.Current = message;
                    return true;
                }

                return false;
            }
            catch (OperationCanceledException e)
            {
                throw call.ToRpcException(e);
            }
        }
    }

    /// <summary>Collects the service's handlers by method name, as the generated BindService hands them out.</summary>
    sealed class Binder(Dictionary<string, Delegate> handlers) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            Add(method, handler);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            Add(method, handler);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            Add(method, handler);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            Add(method, handler);

        void Add(IMethod method, Delegate? handler)
        {
            if (handler is not null)
            {
                handlers[method.FullName] = handler;
            }
        }
    }
}
