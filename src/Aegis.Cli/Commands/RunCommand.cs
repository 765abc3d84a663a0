using System.CommandLine;
using System.Text.Json;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis run [--timeout S] [--env K=V]... -- CMD ARGS...</c>: a one-off task in a fresh sandbox,
/// its output streamed as it comes, its exit code returned.</summary>
internal static class RunCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var commandLine = new Argument<string[]>("command") { Description = "the command and its arguments (after --)", Arity = ArgumentArity.OneOrMore };
        var timeout = new Option<int?>("--timeout") { Description = "seconds before the task is stopped (exit code 124)" };
        var env = new Option<string[]>("--env", "-e") { Description = "an environment variable K=V for the task; repeat for more" };
        timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
            {
                result.AddError("--timeout must be a positive number of seconds.");
            }
        });
        env.Validators.Add(result =>
        {
            foreach (var pair in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (pair.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    result.AddError($"--env '{pair}' is not K=V.");
                }
            }
        });

        var command = new Command("run", "Run a command once in a fresh sandbox and exit with its exit code.") { commandLine, timeout, env };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var variables = parse.GetValue(env) is { Length: > 0 } pairs
                ? pairs.Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal)
                : null;
            using var client = globals.CreateClient(parse);
            using var response = await client.PostStreamingAsync(
                "/v1/tasks", new { command = parse.GetValue(commandLine), env = variables, timeoutSeconds = parse.GetValue(timeout) }, cancellationToken);
            return await StreamAsync(response, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    /// <summary>Copies each <c>{"output":…}</c> line to stdout as it arrives; returns the final line's exit code.</summary>
    private static async Task<int> StreamAsync(HttpResponseMessage response, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.TryGetProperty("output", out var output))
            {
                await stdout.WriteAsync(output.GetString());
                await stdout.FlushAsync(cancellationToken);
            }
            else if (root.TryGetProperty("exitCode", out var exitCode))
            {
                if (root.TryGetProperty("reason", out var reason) && reason.GetString() == "timeout")
                {
                    await stderr.WriteLineAsync("error: the task ran past its timeout and was stopped");
                }

                return exitCode.GetInt32();
            }
        }

        await stderr.WriteLineAsync("error: the task's output ended without an exit code (did aegisd stop?)");
        return ExitCodes.Refused;
    }
}
