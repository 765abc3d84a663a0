using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Famiglia.Harness;

/// <summary>
/// Runs the agent process and speaks the agent protocol (docs/agent-protocol.md) with it: delivers inbox messages
/// after <c>ready</c>, answers the agent's requests, restarts it with backoff when it exits, and reports a crash loop.
/// </summary>
internal sealed partial class AgentSupervisor(
    HarnessSettings settings,
    AgentInbox inbox,
    AgentRequestHandler requests,
    ILogger<AgentSupervisor> logger,
    TimeProvider time)
{
    private const int MaxLineBytes = 4 * 1024 * 1024;
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CrashLoopWindow = TimeSpan.FromMinutes(2);
    private const int CrashLoopExits = 5;

    private readonly Queue<DateTimeOffset> _recentExits = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _run;
    private Process? _process;

    /// <summary>Exits of the agent process since the harness started.</summary>
    public int Restarts { get; private set; }

    public int? LastExitCode { get; private set; }

    /// <summary>The agent process has said <c>ready</c> and runs.</summary>
    public bool IsReady { get; private set; }

    /// <summary>Null while healthy; otherwise what is wrong (a crash loop, no agent command).</summary>
    public string? Problem { get; private set; }

    /// <summary>The pid of the running agent process, if any.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public void Start() => _run = Task.Run(() => RunAsync(_stopping.Token));

    /// <summary>Asks the agent to stop (the <c>shutdown</c> notification, then closing its stdin), waits up to
    /// <paramref name="grace"/>, then SIGTERM and finally SIGKILL.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        await _stopping.CancelAsync();
        var process = _process;
        if (process is not null && !process.HasExited)
        {
            await StopProcessAsync(process, grace);
        }

        if (_run is not null)
        {
            await _run.WaitAsync(grace + TimeSpan.FromSeconds(1)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            var command = ResolveCommand(settings);
            if (command is null)
            {
                Problem = "no agent to run: set AGENT_COMMAND or AGENT_DEFAULT_COMMAND, or publish /agent/index.js or /agent/run";
                NoAgent(logger);
                return;
            }

            var started = time.GetUtcNow();
            int exitCode;
            try
            {
                exitCode = await RunOnceAsync(command, stopping);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException)
            {
                StartFailed(logger, command[0], ex.Message);
                exitCode = 127;
            }

            IsReady = false;
            inbox.Requeue();
            if (stopping.IsCancellationRequested)
            {
                return;
            }

            Restarts++;
            LastExitCode = exitCode;
            var now = time.GetUtcNow();
            _recentExits.Enqueue(now);
            while (_recentExits.Count > 0 && now - _recentExits.Peek() > CrashLoopWindow)
            {
                _recentExits.Dequeue();
            }

            failures = now - started > StableAfter ? 1 : failures + 1;
            Problem = _recentExits.Count >= CrashLoopExits
                ? $"agent crash loop: {_recentExits.Count} exits in {CrashLoopWindow.TotalMinutes:0} min, last exit code {exitCode}"
                : null;
            var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, failures - 1)));
            AgentExited(logger, exitCode, delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>What the harness runs: <c>AGENT_COMMAND</c>, else the published agent (<c>/agent/index.js</c> with node,
    /// else <c>/agent/run</c>), else the template's <c>AGENT_DEFAULT_COMMAND</c>; null when there is nothing.</summary>
    internal static IReadOnlyList<string>? ResolveCommand(HarnessSettings settings)
    {
        if (settings.AgentCommand is { Count: > 0 } command)
        {
            return command;
        }

        // A published agent (the app's release at /agent) replaces the template the app was made with.
        var script = Path.Combine(settings.AgentDirectory, "index.js");
        if (File.Exists(script))
        {
            return ["node", script];
        }

        var run = Path.Combine(settings.AgentDirectory, "run");
        if (File.Exists(run))
        {
            return [run];
        }

        return settings.DefaultAgentCommand is { Count: > 0 } template ? template : null;
    }

    private async Task<int> RunOnceAsync(IReadOnlyList<string> command, CancellationToken stopping)
    {
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory.Exists(settings.AgentDirectory) ? settings.AgentDirectory : settings.WorkspaceDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var secret in HarnessSettings.SecretNames)
        {
            info.Environment.Remove(secret);
        }

        info.Environment["FAMIGLIA_AGENT_PROTOCOL"] = "1";

        using var process = Process.Start(info) ?? throw new IOException($"could not start {command[0]}");
        _process = process;
        AgentStarted(logger, string.Join(' ', command), process.Id);
        var stdin = process.StandardInput.BaseStream;
        var writer = new LineWriter(stdin);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = CopyStderrAsync(process.StandardError);
        var delivery = DeliverAsync(writer, ready.Task, session.Token);
        // Reading ends when the agent closes stdout (it exits) or breaks the protocol; a process still running then
        // is killed, so it cannot linger without a way to talk to it.
        await ReadAsync(process.StandardOutput, writer, ready, CancellationToken.None);
        if (!await ExitedWithinAsync(process, TimeSpan.FromSeconds(1)))
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync(CancellationToken.None);
        await session.CancelAsync();
        await Task.WhenAll(stderr, delivery).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process = null;
        return process.ExitCode;
    }

    private async Task DeliverAsync(LineWriter writer, Task ready, CancellationToken cancellationToken)
    {
        try
        {
            await ready.WaitAsync(cancellationToken);
            var sequence = 0;
            while (true)
            {
                var requestId = $"m-{++sequence}";
                var message = await inbox.TakeAsync(requestId, cancellationToken);
                var request = new JsonObject
                {
                    ["jsonrpc"] = "2.0",
                    ["id"] = requestId,
                    ["method"] = "message",
                    ["params"] = new JsonObject
                    {
                        ["id"] = message.Id,
                        ["from"] = message.From,
                        ["body"] = message.Body,
                        ["thread"] = message.Thread,
                        ["timestamp"] = message.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
                        ["room"] = message.Room,
                    },
                };
                await writer.WriteAsync(request, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The agent went away or the harness stops; unanswered messages are requeued by the run loop.
        }
    }

    private async Task ReadAsync(StreamReader stdout, LineWriter writer, TaskCompletionSource ready, CancellationToken cancellationToken)
    {
        var pending = new List<Task>();
        try
        {
            while (await stdout.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length > MaxLineBytes)
                {
                    ProtocolViolation(logger, $"a line of {line.Length} characters (limit {MaxLineBytes})");
                    break;
                }

                if (line.Length == 0)
                {
                    continue;
                }

                JsonObject? json;
                try
                {
                    json = JsonNode.Parse(line) as JsonObject;
                }
                catch (JsonException)
                {
                    json = null;
                }

                if (json is null)
                {
                    AgentStdout(logger, Flatten(line));
                    continue;
                }

                if (json["method"] is JsonValue method && method.TryGetValue<string>(out var name))
                {
                    var id = json["id"]?.DeepClone();
                    pending.RemoveAll(t => t.IsCompleted);
                    pending.Add(AnswerAsync(writer, name, id, json["params"] as JsonObject, ready, cancellationToken));
                }
                else if (json["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var answered))
                {
                    if (json["error"] is JsonObject error)
                    {
                        AgentMessageError(logger, answered, Flatten(error.ToJsonString()));
                    }

                    inbox.Complete(answered);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }

        await Task.WhenAll(pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task AnswerAsync(LineWriter writer, string method, JsonNode? id, JsonObject? parameters, TaskCompletionSource ready, CancellationToken cancellationToken)
    {
        JsonObject answer;
        try
        {
            var result = await requests.HandleAsync(method, parameters ?? [], cancellationToken);
            if (method == "ready")
            {
                IsReady = true;
                ready.TrySetResult();
                AgentReady(logger);
            }

            answer = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result };
        }
        catch (RpcException ex)
        {
            answer = Error(id, ex.Code, ex.Message, ex.Details);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            answer = Error(id, RpcException.ShuttingDown, "the harness is shutting down", null);
        }
        catch (Exception ex)
        {
            RequestFailed(logger, method, ex);
            answer = Error(id, -32603, $"{method} failed: {ex.Message}", null);
        }

        if (id is null)
        {
            return; // a notification gets no answer
        }

        try
        {
            await writer.WriteAsync(answer, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }
    }

    private static JsonObject Error(JsonNode? id, int code, string message, JsonObject? data)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (data is not null)
        {
            error["data"] = data;
        }

        return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["error"] = error };
    }

    private async Task CopyStderrAsync(StreamReader stderr)
    {
        try
        {
            while (await stderr.ReadLineAsync() is { } line)
            {
                AgentLog(logger, Flatten(line));
            }
        }
        catch (IOException)
        {
        }
    }

    private async Task StopProcessAsync(Process process, TimeSpan grace)
    {
        var half = grace / 2;
        try
        {
            var writer = new LineWriter(process.StandardInput.BaseStream);
            await writer.WriteAsync(new JsonObject
            {
                ["jsonrpc"] = "2.0",
                ["method"] = "shutdown",
                ["params"] = new JsonObject { ["graceSeconds"] = Math.Max(1, (int)half.TotalSeconds) },
            }, CancellationToken.None);
            process.StandardInput.Close();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }

        if (await ExitedWithinAsync(process, half))
        {
            return;
        }

        NativeMethods.Kill(process.Id, 15);
        if (await ExitedWithinAsync(process, grace - half))
        {
            return;
        }

        process.Kill(entireProcessTree: true);
    }

    private static async Task<bool> ExitedWithinAsync(Process process, TimeSpan wait)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(wait);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static string Flatten(string line) =>
        string.Create(line.Length, line, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });

    /// <summary>Writes protocol lines, one at a time.</summary>
    private sealed class LineWriter(Stream stream)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public async Task WriteAsync(JsonNode message, CancellationToken cancellationToken)
        {
            var bytes = Encoding.UTF8.GetBytes(message.ToJsonString() + "\n");
            await _gate.WaitAsync(cancellationToken);
            try
            {
                await stream.WriteAsync(bytes, cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "agent started: {Command} (pid {Pid})")]
    private static partial void AgentStarted(ILogger logger, string command, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "agent ready")]
    private static partial void AgentReady(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "agent exited with code {ExitCode}; restarting in {DelayMs} ms")]
    private static partial void AgentExited(ILogger logger, int exitCode, double delayMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "could not start the agent {Command}: {Error}")]
    private static partial void StartFailed(ILogger logger, string command, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "no agent to run: set AGENT_COMMAND or AGENT_DEFAULT_COMMAND, or publish /agent/index.js or /agent/run")]
    private static partial void NoAgent(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "agent protocol violation: {What}; restarting the agent")]
    private static partial void ProtocolViolation(ILogger logger, string what);

    [LoggerMessage(Level = LogLevel.Information, Message = "[agent] {Line}")]
    private static partial void AgentLog(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "[agent stdout] {Line}")]
    private static partial void AgentStdout(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the agent answered message request {Id} with an error: {Error}")]
    private static partial void AgentMessageError(ILogger logger, string id, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "agent request {Method} failed")]
    private static partial void RequestFailed(ILogger logger, string method, Exception exception);
}
