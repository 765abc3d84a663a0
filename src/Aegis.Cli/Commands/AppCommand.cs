using System.CommandLine;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis app create|publish|serve|unserve|releases|secrets</c>.</summary>
internal static class AppCommand
{
    public static Command Create(GlobalOptions globals) => new("app", "Register apps, publish their releases, serve them.")
    {
        AppCreateCommand.Create(globals),
        AppPublishCommand.Create(globals),
        AppServeCommand.Create(globals),
        AppServeCommand.CreateUnserve(globals),
        AppReleasesCommand.Create(globals),
        AppSecretsCommand.Create(globals),
    };
}
