using System.CommandLine;
using Aegis.Cli.Output;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis kit info NAME [--json]</c>: one kit and its parsed manifest.</summary>
internal static class KitInfoCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var name = new Argument<string>("name") { Description = "the kit's name" };
        var json = GlobalOptions.CreateJsonOption();
        var command = new Command("info", "Show one kit and its manifest.") { name, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            using var client = globals.CreateClient(parse);
            var kit = await client.GetAsync($"/v1/kits/{Uri.EscapeDataString(parse.GetValue(name)!)}", cancellationToken);
            if (parse.GetValue(json))
            {
                await JsonOutput.PrintAsync(stdout, kit);
                return ExitCodes.Ok;
            }

            await stdout.WriteLineAsync($"name         {kit.Text("name")}");
            await stdout.WriteLineAsync($"version      {kit.Text("version")}");
            await stdout.WriteLineAsync($"description  {kit.Text("description")}");
            await stdout.WriteLineAsync($"hooks        {(kit.Flag("hasHooks") ? "yes" : "no")}");
            await stdout.WriteLineAsync($"installed    {kit.Time("installedAt")}");
            await stdout.WriteLineAsync("manifest");
            await JsonOutput.PrintAsync(stdout, kit.GetProperty("manifest"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
