using System.Security.Cryptography;
using System.Text.Json;
using Aegis.Daemon.Infrastructure;
using Aegis.Sandbox;
using Microsoft.Extensions.Options;

namespace Aegis.Daemon.Tasks;

/// <summary>Mode A: run a command once in a fresh, stateless sandbox and stream its output as NDJSON
/// (<c>{"output":"…"}</c> lines, then <c>{"exitCode":N,"reason":"exited"}</c>). Nothing is kept afterwards.</summary>
internal static class TasksApi
{
    public static RouteGroupBuilder MapTasks(this RouteGroupBuilder api)
    {
        api.MapPost("/tasks", RunAsync);
        return api;
    }

    private static async Task RunAsync(TaskRequest request, ISandboxBackend backend, IOptions<AegisOptions> options, HttpResponse response, CancellationToken cancellationToken)
    {
        if (request.Command is not { Length: > 0 } || request.Command.Any(string.IsNullOrEmpty))
        {
            throw ApiProblem.Invalid("command", "command must be a non-empty array of non-empty strings.");
        }

        var timeout = request.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.Value.MaxTaskDuration;
        if (timeout <= TimeSpan.Zero || timeout > options.Value.MaxTaskDuration)
        {
            throw ApiProblem.Invalid("timeoutSeconds", $"timeoutSeconds must be between 1 and {options.Value.MaxTaskDuration.TotalSeconds}.");
        }

        var id = "task_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var workspace = Directory.CreateDirectory(Path.Combine(options.Value.TasksDirectory, id)).FullName;
        response.ContentType = "application/x-ndjson";
        try
        {
            var spec = new SandboxSpec(id, id, request.Command[0], workspace)
            {
                Arguments = request.Command[1..],
                Environment = request.Env ?? new Dictionary<string, string>(),
                Resources = new SandboxResources(request.MemoryBytes ?? 512L * 1024 * 1024),
            };
            await using var sandbox = await backend.StartAsync(spec, cancellationToken);
            await using var log = await OpenWhenCreatedAsync(sandbox.LogPath, cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            var buffer = new byte[16 * 1024];
            SandboxExit? exit = null;
            while (exit is null)
            {
                var read = await log.ReadAsync(buffer, cancellationToken);
                if (read > 0)
                {
                    await WriteLineAsync(response, new { output = System.Text.Encoding.UTF8.GetString(buffer, 0, read) }, cancellationToken);
                    continue;
                }

                if (sandbox.Exited.IsCompleted)
                {
                    exit = await sandbox.Exited;
                    while ((read = await log.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        await WriteLineAsync(response, new { output = System.Text.Encoding.UTF8.GetString(buffer, 0, read) }, cancellationToken);
                    }

                    break;
                }

                if (deadline.IsCancellationRequested)
                {
                    exit = await sandbox.TerminateAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
                    await WriteLineAsync(response, new { exitCode = 124, reason = "timeout" }, cancellationToken);
                    return;
                }

                await Task.WhenAny(sandbox.Exited, Task.Delay(50, cancellationToken));
            }

            await WriteLineAsync(response, new { exitCode = exit.ExitCode, reason = exit.ReasonCode }, cancellationToken);
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
            foreach (var log in Directory.EnumerateFiles(Path.Combine(options.Value.DataDirectory, "logs"), id + ".log*"))
            {
                File.Delete(log);
            }
        }
    }

    private static async Task<FileStream> OpenWhenCreatedAsync(string path, CancellationToken cancellationToken)
    {
        while (!File.Exists(path))
        {
            await Task.Delay(10, cancellationToken);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
    }

    private static async Task WriteLineAsync(HttpResponse response, object line, CancellationToken cancellationToken)
    {
        await response.WriteAsync(JsonSerializer.Serialize(line) + "\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}

/// <summary>A one-off command. Env values are passed to the sandbox only, never logged.</summary>
public sealed record TaskRequest(string[] Command, Dictionary<string, string>? Env, int? TimeoutSeconds, long? MemoryBytes);
