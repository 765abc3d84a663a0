using System.CommandLine;
using Aegis.Cli.Output;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis kit list [--json]</c>.</summary>
internal static class KitListCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var json = GlobalOptions.CreateJsonOption();
        var command = new Command("list", "List the installed kits.") { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            using var client = globals.CreateClient(parse);
            var kits = await client.GetAsync("/v1/kits", cancellationToken);
            if (parse.GetValue(json))
            {
                await JsonOutput.PrintAsync(stdout, kits);
                return ExitCodes.Ok;
            }

            var rows = kits.EnumerateArray()
                .Select(k => (IReadOnlyList<string>)[k.Text("name"), k.Text("version"), k.Flag("hasHooks") ? "yes" : "no", k.Time("installedAt"), k.Text("description")])
                .ToList();
            if (rows.Count == 0)
            {
                await stdout.WriteLineAsync("no kits installed; install one with 'aegis kit install PATH'");
                return ExitCodes.Ok;
            }

            await TableWriter.WriteAsync(stdout, ["name", "version", "hooks", "installed", "description"], rows);
            return ExitCodes.Ok;
        });
        return command;
    }
}
