using System.CommandLine;
using System.Text.Json;
using Aegis.Cli.Output;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis app create NAME --kit KIT [--config JSON] [--secret NAME[=VALUE]]... [--json]</c>: register an app,
/// print its id. A kit's required secrets (<c>secrets.required</c>) must be given here; as with <c>aegis app secrets
/// --set</c>, a bare NAME takes its value from this process's environment.</summary>
internal static class AppCreateCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var name = new Argument<string>("name") { Description = "the app's name" };
        var kit = new Option<string>("--kit") { Description = "the installed kit the app belongs to", Required = true };
        var config = new Option<string?>("--config") { Description = "the app's config as JSON, e.g. '{\"command\":[\"python3\",\"app.py\"]}'" };
        var secrets = new Option<string[]>("--secret") { Description = "NAME (value from your environment variable NAME) or NAME=VALUE; repeatable; the kit's required secrets must be given" };
        var json = GlobalOptions.CreateJsonOption();
        var command = new Command("create", "Register an app of a kit and print its id.") { name, kit, config, secrets, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var values = AppSecretsCommand.Values("--secret", parse.GetValue(secrets) ?? []);
            using var client = globals.CreateClient(parse);
            var created = await client.PostJsonAsync(
                "/v1/apps", new { kit = parse.GetValue(kit), name = parse.GetValue(name), config = ParseConfig(parse.GetValue(config)), secrets = values }, cancellationToken);
            if (parse.GetValue(json))
            {
                await JsonOutput.PrintAsync(stdout, created);
            }
            else
            {
                await stdout.WriteLineAsync(created.Text("appId"));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static JsonElement? ParseConfig(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CliUsageException($"--config is not JSON: {e.Message}");
        }
    }
}
