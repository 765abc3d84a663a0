using System.CommandLine;
using Aegis.Cli.Output;

namespace Aegis.Cli.Commands;

/// <summary>
/// <c>aegis app secrets APPID [--set NAME[=VALUE]]... [--remove NAME]... [--json]</c>: rotate, add or remove an app's
/// secrets (its next boot has them), then print their names. aegisd never gives values back.
/// </summary>
/// <remarks><c>--set NAME</c> takes the value from this process's environment variable NAME, so a key need not be
/// written on the command line (where shell history and <c>ps</c> would keep it).</remarks>
internal static class AppSecretsCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var app = new Argument<string>("appId") { Description = "the app" };
        var set = new Option<string[]>("--set") { Description = "NAME (value from your environment variable NAME) or NAME=VALUE; repeatable" };
        var remove = new Option<string[]>("--remove") { Description = "a secret to remove; repeatable" };
        var json = GlobalOptions.CreateJsonOption();
        var command = new Command("secrets", "Set or remove an app's secrets, then list their names (never their values).") { app, set, remove, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var appId = Uri.EscapeDataString(parse.GetValue(app)!);
            var values = Values("--set", parse.GetValue(set) ?? []);
            using var client = globals.CreateClient(parse);
            if (values.Count > 0)
            {
                await client.PutJsonAsync($"/v1/apps/{appId}/secrets", new { secrets = values }, cancellationToken);
            }

            foreach (var name in parse.GetValue(remove) ?? [])
            {
                await client.DeleteAsync($"/v1/apps/{appId}/secrets/{Uri.EscapeDataString(name)}", cancellationToken);
            }

            var names = (await client.GetAsync($"/v1/apps/{appId}", cancellationToken)).GetProperty("secretNames");
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await JsonOutput.PrintAsync(stdout, names);
            }
            else
            {
                foreach (var name in names.EnumerateArray())
                {
                    await stdout.WriteLineAsync(name.GetString());
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The secrets of <paramref name="settings"/> (each NAME, valued from the environment, or NAME=VALUE), as given
    /// to <paramref name="option"/>.</summary>
    internal static Dictionary<string, string> Values(string option, string[] settings)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in settings)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals == 0)
            {
                throw new CliUsageException($"{option} '{setting}' has no name.");
            }

            var name = equals < 0 ? setting : setting[..equals];
            values[name] = equals >= 0
                ? setting[(equals + 1)..]
                : Environment.GetEnvironmentVariable(name) ?? throw new CliUsageException($"{option} {name}: there is no environment variable {name} to take the value from (or write {option} {name}=VALUE).");
        }

        return values;
    }
}
