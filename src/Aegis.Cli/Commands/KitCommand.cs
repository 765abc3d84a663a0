using System.CommandLine;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis kit install|list|info</c>.</summary>
internal static class KitCommand
{
    public static Command Create(GlobalOptions globals) => new("kit", "Install and inspect kits.")
    {
        KitInstallCommand.Create(globals),
        KitListCommand.Create(globals),
        KitInfoCommand.Create(globals),
    };
}
