using System.Text.Json;

namespace Famiglia.Kit;

/// <summary>
/// <c>render_env</c>: <c>{canvas, secrets, env}</c> → <c>{env}</c>, the given env plus what the harness needs to join
/// the room (spec §2.1, §6.1). Nothing secret: aegisd injects <c>XMPP_USER</c>, <c>XMPP_PASSWORD</c> and
/// <c>FAMIGLIA_API_KEY</c> itself, so the hook reads only the secrets' names, never their values.
/// </summary>
internal static class RenderEnvHook
{
    /// <summary>The kit's secrets (manifest §2), kept out of the returned env even should aegisd pass them in <c>env</c>.</summary>
    private static readonly string[] KitSecrets = ["FAMIGLIA_API_KEY", "XMPP_USER", "XMPP_PASSWORD", "ANTHROPIC_API_KEY"];

    public static Dictionary<string, string> Render(JsonElement request, KitSettings settings)
    {
        var canvas = HookRequest.Object(request, "canvas", "canvas");
        var errors = new List<string>();
        var config = AgentAppConfig.Read(HookRequest.Config(canvas), settings, errors)
            ?? throw new HookFailedException($"the app's config (canvas.config) is invalid: {string.Join("; ", errors)}");

        var secretNames = new HashSet<string>(KitSecrets, StringComparer.Ordinal);
        if (request.TryGetProperty("secrets", out var secrets) && secrets.ValueKind == JsonValueKind.Object)
        {
            secretNames.UnionWith(secrets.EnumerateObject().Select(s => s.Name));
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in HookRequest.Strings(request, "env", "env"))
        {
            if (!secretNames.Contains(name))
            {
                env[name] = value;
            }
        }

        env["XMPP_SERVICE"] = settings.XmppService.OriginalString;
        env["XMPP_DOMAIN"] = settings.XmppHost;
        env["XMPP_MUC_JID"] = config.MucJid(settings.XmppHost);
        env["XMPP_NICK"] = config.Nick(settings.XmppHost);
        if (settings.XmppTls is { } tls)
        {
            env["XMPP_TLS"] = tls;
        }

        env["FAMIGLIA_AGENT_NAME"] = config.Name;
        env["FAMIGLIA_GROUP_ID"] = config.GroupId;
        env["FAMIGLIA_ROOM_ID"] = config.RoomId;
        if (config.Thread is { } thread)
        {
            env["FAMIGLIA_THREAD"] = thread;
        }

        env["FAMIGLIA_API_URL"] = settings.ApiUrl.OriginalString;
        // The harness runs AGENT_COMMAND, else the published agent (/agent), else the template's AGENT_DEFAULT_COMMAND:
        // publishing one's own agent to an app made from a template replaces the template.
        if (config.AgentCommand is { } command)
        {
            env["AGENT_COMMAND"] = command;
        }

        if (config.TemplateCommand(settings) is { } templateCommand)
        {
            env["AGENT_DEFAULT_COMMAND"] = templateCommand;
        }

        return env;
    }

    public static void Write(Utf8JsonWriter json, IReadOnlyDictionary<string, string> env)
    {
        json.WriteStartObject();
        json.WriteStartObject("env");
        foreach (var (name, value) in env)
        {
            json.WriteString(name, value);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
