using System.Text.Json;
using System.Text.RegularExpressions;

namespace Famiglia.Kit;

/// <summary>
/// An agent app's config (the canvas config famiglia-web registers the app with):
/// <c>{name, slug, groupId, groupSlug, roomId, roomSlug, thread?, template?, agentCommand?}</c>. Other fields are ignored.
/// </summary>
internal sealed partial record AgentAppConfig
{
    public const int MaxNameLength = 80;
    public const int MaxSlugLength = 48;
    public const string SlugPrefix = "s-";

    // Characters RFC 7622 forbids in a JID local part, where the room and group slugs end up.
    private const string JidForbidden = " \"&'/:<>@";

    /// <summary>The display name, unique within the group (case-insensitive).</summary>
    public required string Name { get; init; }

    /// <summary>The agent's XMPP user, e.g. <c>s-photo-agent</c>.</summary>
    public required string Slug { get; init; }

    public required string GroupId { get; init; }

    public required string GroupSlug { get; init; }

    public required string RoomId { get; init; }

    public required string RoomSlug { get; init; }

    /// <summary>The agent document's CRDT key, its tab's XMPP thread; null when the agent has no document.</summary>
    public string? Thread { get; init; }

    /// <summary>A key of the settings' templates; null when the agent brings its own command or none.</summary>
    public string? Template { get; init; }

    /// <summary>The command line the harness starts the agent with; overrides a published agent and <see cref="Template"/>.</summary>
    public string? AgentCommand { get; init; }

    /// <summary>The room's MUC: <c>{roomSlug}.{groupSlug}@conference.{host}</c>.</summary>
    public string MucJid(string xmppHost) => $"{RoomSlug}.{GroupSlug}@conference.{xmppHost}";

    /// <summary>The agent's nick in the room, spec §6.1: <c>s-photo-agent</c> is <c>@s:photo-agent@{host}</c>.</summary>
    public string Nick(string xmppHost) => $"@s:{Slug[SlugPrefix.Length..]}@{xmppHost}";

    /// <summary>The template's command line: what the harness runs when the app has neither an
    /// <see cref="AgentCommand"/> nor a published agent (<c>/agent/index.js</c> or <c>/agent/run</c>); null without a template.</summary>
    public string? TemplateCommand(KitSettings settings) => Template is null ? null : settings.Templates[Template];

    /// <summary>Reads and checks a config; each problem is added to <paramref name="errors"/> starting with the field's name.</summary>
    /// <returns>The config, or null when it has problems.</returns>
    public static AgentAppConfig? Read(JsonElement? config, KitSettings settings, List<string> errors)
    {
        if (config is not { ValueKind: JsonValueKind.Object } root)
        {
            errors.Add("config must be a JSON object with name, slug, groupId, groupSlug, roomId and roomSlug");
            return null;
        }

        var before = errors.Count;
        var name = Required(root, "name", errors);
        if (name.Length > MaxNameLength)
        {
            errors.Add($"name must be at most {MaxNameLength} characters (it has {name.Length})");
        }
        else if (name.Any(char.IsControl))
        {
            errors.Add("name must not contain control characters");
        }

        var slug = Required(root, "slug", errors);
        if (slug.Length > MaxSlugLength)
        {
            errors.Add($"slug must be at most {MaxSlugLength} characters (it has {slug.Length})");
        }
        else if (slug.Length > 0 && !SlugPattern().IsMatch(slug))
        {
            errors.Add($"slug '{slug}' is not an agent XMPP user: it must match ^s-[a-z0-9]+(-[a-z0-9]+)*$, e.g. s-photo-agent");
        }

        var groupId = Required(root, "groupId", errors);
        var groupSlug = JidPart(root, "groupSlug", errors);
        var roomId = Required(root, "roomId", errors);
        var roomSlug = JidPart(root, "roomSlug", errors);
        var thread = Optional(root, "thread", errors);
        var template = Optional(root, "template", errors);
        if (template is not null && !settings.Templates.ContainsKey(template))
        {
            errors.Add(settings.Templates.Count == 0
                ? $"template '{template}' is unknown: no templates are configured"
                : $"template '{template}' is unknown (known: {string.Join(", ", settings.Templates.Keys.Order(StringComparer.Ordinal))})");
        }

        var command = Optional(root, "agentCommand", errors);
        if (errors.Count > before)
        {
            return null;
        }

        return new AgentAppConfig
        {
            Name = name,
            Slug = slug,
            GroupId = groupId,
            GroupSlug = groupSlug,
            RoomId = roomId,
            RoomSlug = roomSlug,
            Thread = thread,
            Template = template,
            AgentCommand = command,
        };
    }

    private static string Required(JsonElement root, string field, List<string> errors)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add($"{field} is missing");
            return "";
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{field} must be a string");
            return "";
        }

        var text = value.GetString()!.Trim();
        if (text.Length == 0)
        {
            errors.Add($"{field} must not be empty");
        }

        return text;
    }

    private static string? Optional(JsonElement root, string field, List<string> errors)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{field} must be a string");
            return null;
        }

        var text = value.GetString()!.Trim();
        if (text.Length == 0)
        {
            errors.Add($"{field} must not be empty (leave it out instead)");
            return null;
        }

        return text;
    }

    private static string JidPart(JsonElement root, string field, List<string> errors)
    {
        var text = Required(root, field, errors);
        if (text.Length > 0 && (text.IndexOfAny(JidForbidden.ToCharArray()) >= 0 || text.Any(char.IsControl)))
        {
            errors.Add($"{field} '{text}' cannot be part of the room's JID (no spaces, control characters or any of \"&'/:<>@)");
        }

        return text;
    }

    [GeneratedRegex("^s-[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();
}
