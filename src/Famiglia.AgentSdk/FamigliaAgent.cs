using System.Collections.Immutable;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using Famiglia.AgentSdk.Protocol;

namespace Famiglia.AgentSdk;

/// <summary>A Famiglia agent: speaks the harness's JSON-RPC protocol (docs/agent-protocol.md) on stdin/stdout and
/// gives the agent chat (<see cref="SayAsync"/>, <see cref="AnnounceAsync"/>, <see cref="OnMessage"/>), the Agent
/// Data API (<see cref="Api"/>) and the canvas (<see cref="Canvas"/>).</summary>
/// <example>
/// <code>
/// await using var agent = new FamigliaAgent();
/// agent.OnMessage(msg => msg.ReplyAsync($"echo: {msg.Body}"));
/// await agent.RunAsync();
/// </code>
/// </example>
public sealed partial class FamigliaAgent : IAsyncDisposable
{
    /// <summary>What the SDK tells the harness in <c>ready</c>.</summary>
    public const string SdkName = "famiglia-dotnet/1.0";

    private readonly JsonRpcConnection _connection;
    private readonly AgentLog _log;
    private readonly Channel<Delivery> _inbox = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lazy<Task> _stop;
    private ImmutableArray<Func<AgentMessage, Task>> _handlers = [];
    private AgentIdentity? _identity;
    private Task _dispatchLoop = Task.CompletedTask;
    private int _started;

    /// <summary>Creates an agent on the process's stdin and stdout, logging to stderr. Because stdout carries the
    /// protocol, this also redirects <see cref="Console.Out"/> to stderr so a stray <c>Console.WriteLine</c> ends up
    /// in the log instead of corrupting a protocol line.</summary>
    public FamigliaAgent()
        : this(Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error)
    {
        Console.SetOut(Console.Error);
    }

    /// <summary>Creates an agent on the given streams (for hosting and tests). The agent does not dispose them.</summary>
    /// <param name="input">Lines from the harness (the agent's stdin).</param>
    /// <param name="output">Lines to the harness (the agent's stdout); the agent writes nothing else to it.</param>
    /// <param name="log">Where log lines go; stderr when null.</param>
    public FamigliaAgent(Stream input, Stream output, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        _log = new AgentLog(log ?? Console.Error);
        _connection = new JsonRpcConnection(input, output, _log, OnRequest, RequestStop);
        _stop = new Lazy<Task>(StopCoreAsync);
        Api = new AgentDataApi(this);
        Canvas = new AgentCanvas(this);
    }

    /// <summary>Who the agent is, as the harness answered <c>ready</c>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="StartAsync"/> has not completed yet.</exception>
    public AgentIdentity Identity => _identity ?? throw new InvalidOperationException("The identity is known once StartAsync has completed.");

    /// <summary>The Agent Data API (group, rooms, feed, media, chat history, documents, files, apps).</summary>
    public AgentDataApi Api { get; }

    /// <summary>The agent's canvas (files served as the agent's tab).</summary>
    public AgentCanvas Canvas { get; }

    /// <summary>Cancelled when the agent stops: the harness sent <c>shutdown</c>, closed stdin, or
    /// <see cref="StopAsync"/> was called. Pass it to long work in handlers so they finish early.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Adds a handler for chat messages. Register handlers before <see cref="StartAsync"/>: messages that
    /// arrive while none is registered are acknowledged unhandled. Messages are handled one at a time, in room
    /// order, off the read loop; with several handlers each message goes to each in registration order. When the
    /// handlers are done the message is acknowledged, also when one threw: the exception is logged, never fatal.
    /// The agent's own messages never reach a handler.</summary>
    /// <param name="handler">The handler.</param>
    /// <returns>Disposing it removes the handler.</returns>
    public IDisposable OnMessage(Func<AgentMessage, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _handlers, static (handlers, added) => handlers.Add(added), handler);
        return new HandlerRegistration(this, handler);
    }

    /// <summary>Sends a message into the agent's document thread (or the room's main chat when it has none).</summary>
    /// <param name="text">The message.</param>
    /// <param name="cancellationToken">Stops waiting for the harness's answer.</param>
    /// <returns>The message's origin-id.</returns>
    public Task<string> SayAsync(string text, CancellationToken cancellationToken = default) => SayInThreadAsync(text, thread: null, cancellationToken);

    /// <summary>Sends a message into the room's main chat.</summary>
    /// <param name="text">The message.</param>
    /// <param name="cancellationToken">Stops waiting for the harness's answer.</param>
    /// <returns>The message's origin-id.</returns>
    public async Task<string> AnnounceAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sent = await InvokeAsync("announce", new AnnounceParams(text), AgentJsonContext.Default.AnnounceParams, AgentJsonContext.Default.SentResult, cancellationToken);
        return sent.Id;
    }

    /// <summary>Sends <c>ready</c>, stores the answer as <see cref="Identity"/> and starts handling messages.</summary>
    /// <param name="cancellationToken">Stops waiting for the harness's answer.</param>
    /// <exception cref="InvalidOperationException">The agent was already started.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The agent can be started only once.");
        }

        _connection.Start();
        _identity = await _connection.InvokeAsync(
            "ready", new ReadyParams(SdkName), AgentJsonContext.Default.ReadyParams, AgentJsonContext.Default.AgentIdentity, cancellationToken);
        _dispatchLoop = Task.Run(DispatchAsync, CancellationToken.None);
    }

    /// <summary>Stops the agent: no new message is handled (unacknowledged ones go to the next agent process), the
    /// running handler is awaited, and the queued answers are flushed. Called again, it waits for the same stop.
    /// Called from inside a message handler, it only requests the stop (waiting there would wait for itself).</summary>
    /// <param name="cancellationToken">Stops waiting; the stop goes on.</param>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        var stop = _stop.Value;
        return CurrentDispatcher.Value == this ? Task.CompletedTask : stop.WaitAsync(cancellationToken);
    }

    /// <summary>Starts the agent and runs it until the harness sends <c>shutdown</c> or closes stdin (or
    /// <paramref name="cancellationToken"/> is cancelled), then stops it as <see cref="StopAsync"/> does. Return from
    /// <c>Main</c> afterwards to exit 0.</summary>
    /// <param name="cancellationToken">Stops the agent.</param>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            // Cancelled while starting (e.g. before the harness answered ready) is a stop like any other.
            await StartAsync(cancellationToken);
            await _stopRequested.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await StopAsync(CancellationToken.None);
    }

    /// <summary>Stops the agent (<see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _connection.CancelRead();
    }

    internal async Task<string> SayInThreadAsync(string text, string? thread, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sent = await InvokeAsync("say", new SayParams(text, thread), AgentJsonContext.Default.SayParams, AgentJsonContext.Default.SentResult, cancellationToken);
        return sent.Id;
    }

    internal Task<TResult> InvokeAsync<TParams, TResult>(
        string method, TParams parameters, JsonTypeInfo<TParams> paramsType, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken)
    {
        if (_identity is null)
        {
            throw new InvalidOperationException("Start the agent (StartAsync or RunAsync) before talking to the harness.");
        }

        return _connection.InvokeAsync(method, parameters, paramsType, resultType, cancellationToken);
    }

    private async Task StopCoreAsync()
    {
        RequestStop();
        await _dispatchLoop;
        await _connection.CompleteAsync();
    }

    private sealed class HandlerRegistration(FamigliaAgent agent, Func<AgentMessage, Task> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                ImmutableInterlocked.Update(ref agent._handlers, static (handlers, removed) => handlers.Remove(removed), handler);
            }
        }
    }
}
