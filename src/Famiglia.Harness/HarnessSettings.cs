using System.Text.RegularExpressions;
using Famiglia.Xmpp;

namespace Famiglia.Harness;

/// <summary>
/// Everything the harness reads from its environment, validated at once: a sandbox with a bad environment fails
/// at startup with every problem named, never later and never with a secret's value in the message.
/// </summary>
internal sealed partial record HarnessSettings
{
    /// <summary>Variables that hold secrets: never printed, never passed to the agent process.</summary>
    public static readonly IReadOnlySet<string> SecretNames = new HashSet<string>(StringComparer.Ordinal) { "XMPP_PASSWORD", "FAMIGLIA_API_KEY" };

    public required Uri XmppService { get; init; }
    public required string XmppUser { get; init; }
    public required string XmppPassword { get; init; }
    public required string XmppDomain { get; init; }
    public required Jid RoomJid { get; init; }
    public required string Nick { get; init; }
    public required XmppTlsOptions XmppTls { get; init; }
    public required string GroupId { get; init; }
    public required string RoomId { get; init; }

    /// <summary>The agent's document thread (its tab's chat), or null when the agent has no document.</summary>
    public string? Thread { get; init; }

    public required Uri ApiUrl { get; init; }
    public required string ApiKey { get; init; }

    /// <summary>The agent command line (<c>AGENT_COMMAND</c>): it wins over a published agent in /agent; null when not set.</summary>
    public IReadOnlyList<string>? AgentCommand { get; init; }

    /// <summary>The command line when there is neither <see cref="AgentCommand"/> nor a published agent
    /// (<c>AGENT_DEFAULT_COMMAND</c>, the template's); null when not set.</summary>
    public IReadOnlyList<string>? DefaultAgentCommand { get; init; }

    public required string CanvasDirectory { get; init; }
    public required string WorkspaceDirectory { get; init; }
    public required string AgentDirectory { get; init; }
    public required int Port { get; init; }
    public required string ControlSocket { get; init; }
    public required TimeSpan HeartbeatInterval { get; init; }

    /// <summary>Which other agents' messages reach the agent (<c>FAMIGLIA_DELIVER_AGENT_MESSAGES</c>: <c>mentions</c>, the
    /// default, <c>all</c> or <c>none</c>; <c>true</c> and <c>false</c> mean all and none).</summary>
    public AgentMessageDelivery DeliverAgentMessages { get; init; } = AgentMessageDelivery.Mentions;

    /// <summary>The agent's display name in Famiglia (<c>FAMIGLIA_AGENT_NAME</c>), what "@Name" mentions; null when not set.</summary>
    public string? AgentName { get; init; }

    /// <summary>Reads and validates the environment.</summary>
    /// <exception cref="HarnessConfigurationException">One or more variables are missing or malformed.</exception>
    public static HarnessSettings FromEnvironment(IReadOnlyDictionary<string, string> env)
    {
        var errors = new List<string>();

        string Required(string name)
        {
            if (env.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }

            errors.Add($"{name} is missing");
            return "";
        }

        string Optional(string name, string fallback) =>
            env.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : fallback;

        // Malformed values are described, never echoed, when the variable is a secret.
        string Show(string name, string value) => SecretNames.Contains(name) ? "(hidden)" : $"'{value}'";

        var service = Required("XMPP_SERVICE");
        Uri? serviceUri = null;
        if (service.Length > 0 && (!Uri.TryCreate(service, UriKind.Absolute, out serviceUri) || serviceUri.Scheme is not ("xmpp" or "ws" or "wss")))
        {
            errors.Add($"XMPP_SERVICE {Show("XMPP_SERVICE", service)} is not an XMPP service: use ws://host:5280/ws, wss://… or xmpp://host:5222");
        }

        var user = Required("XMPP_USER");
        if (user.Length > 0 && !XmppLocalPart().IsMatch(user))
        {
            errors.Add($"XMPP_USER {Show("XMPP_USER", user)} is not a valid XMPP local part");
        }

        var password = Required("XMPP_PASSWORD");
        var domain = Required("XMPP_DOMAIN");
        var muc = Required("XMPP_MUC_JID");
        Jid? roomJid = null;
        if (muc.Length > 0)
        {
            if (!Jid.TryParse(muc, out var parsed) || parsed.Local is null || parsed.Resource is not null)
            {
                errors.Add($"XMPP_MUC_JID {Show("XMPP_MUC_JID", muc)} is not a room JID like photos.feldmans@conference.dev1.localhost");
            }
            else
            {
                roomJid = parsed;
            }
        }

        var nick = Required("XMPP_NICK");
        // The spec's XMPP_SERVICE is ws://ejabberd:5280/ws: plain WebSocket over the sandbox's host-local link to the
        // internal host. So ws:// means no TLS unless XMPP_TLS says otherwise; xmpp:// and wss:// require it.
        var tls = Optional("XMPP_TLS", serviceUri?.Scheme == "ws" ? "disabled" : "required").ToLowerInvariant() switch
        {
            "required" => XmppTlsMode.Required,
            "if-offered" => XmppTlsMode.IfOffered,
            "disabled" => XmppTlsMode.Disabled,
            var other => Invalid(errors, $"XMPP_TLS '{other}' is not one of required, if-offered, disabled", XmppTlsMode.Required),
        };
        var caFile = Optional("XMPP_TLS_CA", "");
        if (caFile.Length > 0 && !File.Exists(caFile))
        {
            errors.Add($"XMPP_TLS_CA '{caFile}' does not exist");
        }

        var groupId = Required("FAMIGLIA_GROUP_ID");
        var roomId = Required("FAMIGLIA_ROOM_ID");
        var apiUrlText = Required("FAMIGLIA_API_URL");
        Uri? apiUrl = null;
        if (apiUrlText.Length > 0 && (!Uri.TryCreate(apiUrlText, UriKind.Absolute, out apiUrl) || apiUrl.Scheme is not ("http" or "https")))
        {
            errors.Add($"FAMIGLIA_API_URL '{apiUrlText}' is not an http(s) URL like http://famiglia-web:3000");
        }

        var apiKey = Required("FAMIGLIA_API_KEY");
        var port = Optional("HARNESS_PORT", "80");
        if (!int.TryParse(port, out var portNumber) || portNumber is < 1 or > 65535)
        {
            errors.Add($"HARNESS_PORT '{port}' is not a port number");
        }

        var heartbeat = Optional("HEARTBEAT_SECONDS", "30");
        if (!double.TryParse(heartbeat, System.Globalization.CultureInfo.InvariantCulture, out var heartbeatSeconds) || heartbeatSeconds is <= 0 or > 3600)
        {
            errors.Add($"HEARTBEAT_SECONDS '{heartbeat}' is not a number of seconds between 0 and 3600");
        }

        IReadOnlyList<string>? Command(string name)
        {
            var command = Optional(name, "");
            if (command.Length == 0)
            {
                return null;
            }

            var words = CommandLine.Split(command);
            if (words.Count == 0)
            {
                errors.Add($"{name} has unbalanced quotes");
            }

            return words;
        }

        var commandLine = Command("AGENT_COMMAND");
        var defaultCommandLine = Command("AGENT_DEFAULT_COMMAND");

        var deliver = Optional("FAMIGLIA_DELIVER_AGENT_MESSAGES", "mentions");
        var deliverAgentMessages = deliver.ToLowerInvariant() switch
        {
            "mentions" => AgentMessageDelivery.Mentions,
            "all" or "true" => AgentMessageDelivery.All,
            "none" or "false" => AgentMessageDelivery.None,
            _ => Invalid(errors, $"FAMIGLIA_DELIVER_AGENT_MESSAGES '{deliver}' is not mentions, all or none", AgentMessageDelivery.Mentions),
        };

        if (errors.Count > 0)
        {
            throw new HarnessConfigurationException(errors);
        }

        return new HarnessSettings
        {
            XmppService = serviceUri!,
            XmppUser = user,
            XmppPassword = password,
            XmppDomain = domain,
            RoomJid = roomJid!.Value,
            Nick = nick,
            XmppTls = new XmppTlsOptions { Mode = tls, PinnedCertificatePath = caFile.Length > 0 ? caFile : null },
            GroupId = groupId,
            RoomId = roomId,
            Thread = Optional("FAMIGLIA_THREAD", "") is { Length: > 0 } thread ? thread : null,
            ApiUrl = apiUrl!,
            ApiKey = apiKey,
            AgentCommand = commandLine,
            DefaultAgentCommand = defaultCommandLine,
            CanvasDirectory = Optional("CANVAS_DIR", "/canvas"),
            WorkspaceDirectory = Optional("WORKSPACE_DIR", "/workspace"),
            AgentDirectory = Optional("AGENT_DIR", "/agent"),
            Port = portNumber,
            ControlSocket = Optional("AEGIS_CONTROL_SOCKET", "/run/aegis/control.sock"),
            HeartbeatInterval = TimeSpan.FromSeconds(heartbeatSeconds),
            DeliverAgentMessages = deliverAgentMessages,
            AgentName = Optional("FAMIGLIA_AGENT_NAME", "") is { Length: > 0 } name ? name : null,
        };
    }

    private static T Invalid<T>(List<string> errors, string error, T fallback)
    {
        errors.Add(error);
        return fallback;
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex XmppLocalPart();
}

/// <summary>The environment is missing or has malformed variables; <see cref="Errors"/> names each.</summary>
internal sealed class HarnessConfigurationException(IReadOnlyList<string> errors)
    : Exception("famiglia-harness cannot start: " + string.Join("; ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
