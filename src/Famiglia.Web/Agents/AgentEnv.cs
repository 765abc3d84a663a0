using System.Text.Json;
using System.Text.RegularExpressions;

namespace Famiglia.Web.Agents;

/// <summary>The extra environment a person gives an agent (AI keys, MCP config), stored as a JSON object.</summary>
internal static partial class AgentEnv
{
    /// <summary>Variables the kit and the harness set; a person cannot override them.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        "FAMIGLIA_API_KEY", "FAMIGLIA_API_URL", "FAMIGLIA_AGENT_NAME", "FAMIGLIA_GROUP_ID", "FAMIGLIA_ROOM_ID", "FAMIGLIA_THREAD", "XMPP_USER",
        "XMPP_PASSWORD", "XMPP_SERVICE", "XMPP_DOMAIN", "XMPP_MUC_JID", "XMPP_NICK", "AGENT_COMMAND", "AGENT_DEFAULT_COMMAND", "PATH",
        "AEGIS_APP_ID", "AEGIS_INSTANCE_ID", "AEGIS_RELEASE_ID", "AEGIS_RELEASE_VERSION",
    };

    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>Which other agents' messages the harness delivers (docs/agent-protocol.md); values the harness takes.</summary>
    public const string DeliverAgentMessages = "FAMIGLIA_DELIVER_AGENT_MESSAGES";

    private static readonly string[] DeliverAgentMessagesValues = ["mentions", "all", "none", "true", "false"];

    /// <summary>A problem with a value of the harness's own settings in <paramref name="variables"/>, or null.</summary>
    public static string? CheckHarnessSetting(IReadOnlyDictionary<string, string> variables) =>
        variables.TryGetValue(DeliverAgentMessages, out var value)
        && !DeliverAgentMessagesValues.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase)
            ? $"{DeliverAgentMessages} is mentions, all or none."
            : null;

    public static IReadOnlyDictionary<string, string> Parse(string? json) =>
        json is null ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];

    /// <summary>Reads <c>KEY=VALUE</c> lines (blank lines and <c>#</c> comments skipped); a line without <c>=</c> is an error.</summary>
    public static Dictionary<string, string> FromLines(string? text, out string? error)
    {
        error = null;
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in (text ?? "").Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error = "Each line must be NAME=value.";
                return env;
            }

            env[line[..equals].Trim()] = line[(equals + 1)..].Trim();
        }

        return env;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex NamePattern();
}
