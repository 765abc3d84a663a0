using System.Text.Json;
using System.Text.RegularExpressions;

namespace Famiglia.Kit;

/// <summary>
/// The hooks' settings, a JSON file named by <c>FAMIGLIA_KIT_SETTINGS</c> (an absolute path), else
/// <c>famiglia-kit.json</c> in the working directory. Holds no secret: the kit token lives in its own file.
/// </summary>
/// <remarks>
/// <c>xmppService</c> and <c>apiUrl</c> are addresses as the sandbox sees them (the manifest's
/// <c>internal_hosts</c> names); <c>famigliaWebUrl</c> is famiglia-web as the host, where the hooks run, sees it.
/// </remarks>
internal sealed partial record KitSettings
{
    public const string EnvironmentVariable = "FAMIGLIA_KIT_SETTINGS";
    public const string DefaultFileName = "famiglia-kit.json";

    private static readonly string[] Keys = ["xmppHost", "xmppService", "apiUrl", "famigliaWebUrl", "kitTokenFile", "templates", "xmppTls"];
    private static readonly string[] TlsModes = ["required", "if-offered", "disabled"];

    /// <summary>The XMPP domain agents' JIDs and rooms are in, e.g. <c>dev1.localhost</c>.</summary>
    public required string XmppHost { get; init; }

    /// <summary>ejabberd as the sandbox reaches it, e.g. <c>ws://ejabberd:5280/ws</c>.</summary>
    public required Uri XmppService { get; init; }

    /// <summary>The Agent Data API as the sandbox reaches it, e.g. <c>http://famiglia-web:3000</c>.</summary>
    public required Uri ApiUrl { get; init; }

    /// <summary>famiglia-web as the hooks reach it, e.g. <c>http://127.0.0.1:3000</c>.</summary>
    public required Uri FamigliaWebUrl { get; init; }

    /// <summary>The file holding famiglia-web's kit token (<c>&lt;Famiglia:DataDirectory&gt;/kit-token</c>), absolute.</summary>
    public required string KitTokenFile { get; init; }

    /// <summary>Agent templates by key: the command line the harness starts the agent with.</summary>
    public IReadOnlyDictionary<string, string> Templates { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The harness's <c>XMPP_TLS</c> (<c>required</c>, <c>if-offered</c>, <c>disabled</c>); null leaves the
    /// harness default (required, which a plain <c>ws://</c> service other than loopback cannot meet).</summary>
    public string? XmppTls { get; init; }

    /// <summary>The settings file the hooks use: <c>$FAMIGLIA_KIT_SETTINGS</c>, else <c>famiglia-kit.json</c> in the working directory.</summary>
    /// <exception cref="KitSettingsException"><c>FAMIGLIA_KIT_SETTINGS</c> is not an absolute path.</exception>
    public static string Locate(string? variable, string workingDirectory)
    {
        if (string.IsNullOrEmpty(variable))
        {
            return Path.Combine(workingDirectory, DefaultFileName);
        }

        return Path.IsPathFullyQualified(variable)
            ? variable
            : throw new KitSettingsException(variable, [$"{EnvironmentVariable} must be an absolute path"]);
    }

    /// <summary>Reads and validates the settings file.</summary>
    /// <exception cref="KitSettingsException">The file is missing, not JSON, or has missing or malformed settings; every problem is named.</exception>
    public static KitSettings Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var problem = e is FileNotFoundException or DirectoryNotFoundException
                ? $"the file does not exist (write it, or point {EnvironmentVariable} at it)"
                : $"the file cannot be read: {e.Message}";
            throw new KitSettingsException(path, [problem]);
        }

        return Parse(json, path);
    }

    /// <summary>Parses and validates settings JSON.</summary>
    /// <param name="json">The settings file's text.</param>
    /// <param name="source">What error messages call the settings, usually the file's path.</param>
    /// <exception cref="KitSettingsException">Missing or malformed settings; every problem is named.</exception>
    public static KitSettings Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new KitSettingsException(source, [$"not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"]);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new KitSettingsException(source, ["the settings must be a JSON object"]);
            }

            var errors = new List<string>();
            foreach (var property in root.EnumerateObject())
            {
                if (!Keys.Contains(property.Name, StringComparer.Ordinal))
                {
                    errors.Add($"unknown setting '{property.Name}' (known: {string.Join(", ", Keys)})");
                }
            }

            var host = Text(root, "xmppHost", errors);
            if (host.Length > 0 && !DomainName().IsMatch(host))
            {
                errors.Add($"xmppHost '{host}' is not a domain name like dev1.localhost");
            }

            var service = Address(root, "xmppService", ["ws", "wss", "xmpp"], "ws://ejabberd:5280/ws", errors);
            var apiUrl = Address(root, "apiUrl", ["http", "https"], "http://famiglia-web:3000", errors);
            var webUrl = Address(root, "famigliaWebUrl", ["http", "https"], "http://127.0.0.1:3000", errors);
            var tokenFile = Text(root, "kitTokenFile", errors);
            if (tokenFile.Length > 0 && !Path.IsPathFullyQualified(tokenFile))
            {
                errors.Add($"kitTokenFile '{tokenFile}' must be an absolute path");
            }

            var templates = ReadTemplates(root, errors);
            string? tls = null;
            if (root.TryGetProperty("xmppTls", out var tlsValue) && tlsValue.ValueKind != JsonValueKind.Null)
            {
                tls = tlsValue.ValueKind == JsonValueKind.String ? tlsValue.GetString() : null;
                if (tls is null || !TlsModes.Contains(tls, StringComparer.Ordinal))
                {
                    errors.Add($"xmppTls must be one of {string.Join(", ", TlsModes)}");
                }
            }

            if (errors.Count > 0)
            {
                throw new KitSettingsException(source, errors);
            }

            return new KitSettings
            {
                XmppHost = host,
                XmppService = service!,
                ApiUrl = apiUrl!,
                FamigliaWebUrl = webUrl!,
                KitTokenFile = tokenFile,
                Templates = templates,
                XmppTls = tls,
            };
        }
    }

    private static string Text(JsonElement root, string name, List<string> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add($"{name} is missing");
            return "";
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            errors.Add($"{name} must be a non-empty string");
            return "";
        }

        return value.GetString()!.Trim();
    }

    private static Uri? Address(JsonElement root, string name, string[] schemes, string example, List<string> errors)
    {
        var text = Text(root, name, errors);
        if (text.Length == 0)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && schemes.Contains(uri.Scheme, StringComparer.Ordinal) && uri.Host.Length > 0)
        {
            return uri;
        }

        errors.Add($"{name} '{text}' is not a {string.Join("/", schemes)} URL like {example}");
        return null;
    }

    private static Dictionary<string, string> ReadTemplates(JsonElement root, List<string> errors)
    {
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!root.TryGetProperty("templates", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return templates;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("templates must be an object of template key → agent command");
            return templates;
        }

        foreach (var template in value.EnumerateObject())
        {
            if (template.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(template.Value.GetString()))
            {
                errors.Add($"templates.{template.Name} must be a non-empty command line");
                continue;
            }

            templates[template.Name] = template.Value.GetString()!.Trim();
        }

        return templates;
    }

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DomainName();
}
