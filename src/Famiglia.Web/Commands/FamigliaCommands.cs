using Famiglia.Web.Agents;
using Famiglia.Web.Demo;
using Famiglia.Web.Infrastructure;

namespace Famiglia.Web.Commands;

/// <summary>
/// Operations commands, run instead of the server when the first argument names one:
/// <c>seed-demo</c>, <c>issue-api-key --group G --agent NAME [--room SLUG]</c>, <c>revoke-api-key --agent NAME [--group G]</c>.
/// Host settings (<c>--Famiglia:DataDirectory=…</c>) still apply.
/// </summary>
internal static class FamigliaCommands
{
    private static readonly string[] Names = ["seed-demo", "issue-api-key", "revoke-api-key"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Names.Contains(args[0], StringComparer.Ordinal);

    /// <summary>The arguments the host's configuration sees: the command and its own options left out.</summary>
    public static string[] HostArguments(string[] args)
    {
        if (!IsCommand(args))
        {
            return args;
        }

        var host = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] is "--group" or "--agent" or "--room")
            {
                i++;
            }
            else
            {
                host.Add(args[i]);
            }
        }

        return [.. host];
    }

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var options = ParseOptions(args);
        try
        {
            await services.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
            switch (args[0])
            {
                case "seed-demo":
                    var seeded = await services.GetRequiredService<DemoSeeder>().SeedDemoAsync(cancellationToken);
                    await output.WriteLineAsync(seeded ? "Seeded the demo group 'feldmans'." : "The database is not empty; nothing seeded.");
                    return 0;

                case "issue-api-key":
                    if (!options.TryGetValue("group", out var group) || !options.TryGetValue("agent", out var agent))
                    {
                        await error.WriteLineAsync("usage: famiglia-web issue-api-key --group GROUP --agent NAME [--room photos]");
                        return 2;
                    }

                    var issued = await services.GetRequiredService<ApiKeyService>().IssueAsync(group, agent, options.GetValueOrDefault("room", "photos"), cancellationToken);

                    // The key on stdout alone, so scripts can capture it; it is shown this once.
                    await output.WriteLineAsync(issued.Key);
                    await error.WriteLineAsync($"API key for agent '{issued.AgentName}' (room {issued.RoomSlug} of {issued.GroupSlug}); it will not be shown again.");
                    return 0;

                default:
                    if (!options.TryGetValue("agent", out var revokeAgent))
                    {
                        await error.WriteLineAsync("usage: famiglia-web revoke-api-key --agent NAME [--group GROUP]");
                        return 2;
                    }

                    var count = await services.GetRequiredService<ApiKeyService>().RevokeAsync(revokeAgent, options.GetValueOrDefault("group"), cancellationToken);
                    await output.WriteLineAsync($"Revoked {count} key(s) of agent '{revokeAgent}'.");
                    return count > 0 ? 0 : 1;
            }
        }
        catch (InvalidOperationException exception)
        {
            await error.WriteLineAsync(exception.Message);
            return 1;
        }
    }

    private static Dictionary<string, string> ParseOptions(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i + 1 < args.Length; i++)
        {
            if (args[i] is "--group" or "--agent" or "--room")
            {
                options[args[i][2..]] = args[++i];
            }
        }

        return options;
    }
}
