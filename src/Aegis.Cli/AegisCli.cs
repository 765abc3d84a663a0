using System.CommandLine;
using System.CommandLine.Invocation;
using Aegis.Cli.Api;
using Aegis.Cli.Commands;
using Aegis.Cli.Output;

namespace Aegis.Cli;

/// <summary>The <c>aegis</c> command line, callable in-process: what <c>Main</c> runs.</summary>
public static class AegisCli
{
    /// <summary>Parses and runs one command line; returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var parse = CreateRootCommand().Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"error: {error.Message}");
            }

            await stderr.WriteLineAsync("See 'aegis --help'.");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null, // Main owns the signals and cancels cancellationToken
        };
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (AegisApiException e)
        {
            await ProblemPrinter.PrintAsync(stderr, e);
            return ExitCodes.Refused;
        }
        catch (DaemonUnreachableException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Unreachable;
        }
        catch (Exception e) when (e is HttpRequestException or HttpIOException)
        {
            // The daemon went away mid-answer, e.g. while a task streamed.
            await stderr.WriteLineAsync($"error: the connection to aegisd broke: {e.Message}");
            return ExitCodes.Unreachable;
        }
        catch (CliUsageException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("interrupted");
            return ExitCodes.Interrupted;
        }
    }

    internal static RootCommand CreateRootCommand()
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("aegis: start and drive aegisd, the Aegis sandbox daemon.")
        {
            UpCommand.Create(globals),
            StatusCommand.Create(globals),
            RunCommand.Create(globals),
            AppCommand.Create(globals),
            KitCommand.Create(globals),
        };
        globals.AddTo(root);
        return root;
    }
}
