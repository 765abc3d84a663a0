using System.Globalization;
using System.Text.RegularExpressions;

namespace Aegis.Core.Kits;

/// <summary>The manifest schema of FAMIGLIA_KIT_SPEC.md §2: which keys each mapping allows, which are required,
/// what their values may be, and the defaults of the optional ones.</summary>
internal static partial class KitManifestReader
{
    private static readonly string[] TopKeys = ["name", "version", "description", "homepage", "image", "secrets", "routing", "networking", "policies", "resources"];
    private static readonly string[] ImageKeys = ["base"];
    private static readonly string[] SecretsKeys = ["required"];
    private static readonly string[] SecretKeys = ["name", "description", "scope", "generated", "user_provided", "optional"];
    private static readonly string[] RoutingKeys = ["scheme", "session_stickiness", "websocket", "expose"];
    private static readonly string[] ExposeKeys = ["port", "protocol", "ui"];
    private static readonly string[] NetworkingKeys = ["egress", "internal_hosts", "long_lived_connections"];
    private static readonly string[] PoliciesKeys = ["default_task", "default_serve"];
    private static readonly string[] ResourcesKeys = ["memory", "cpu", "disk", "max_agents_per_group"];

    private static readonly (string, SecretScope)[] Scopes = [("per_app", SecretScope.PerApp), ("per_workspace", SecretScope.PerWorkspace)];
    private static readonly (string, ExposeProtocol)[] Protocols = [("http", ExposeProtocol.Http)];
    private static readonly (string, EgressPolicy)[] Egress = [("allow", EgressPolicy.Allow), ("deny", EgressPolicy.Deny)];
    private static readonly (string, TaskPolicy)[] TaskPolicies = [("stateless", TaskPolicy.Stateless)];
    private static readonly (string, ServePolicy)[] ServePolicies = [("serve", ServePolicy.Serve)];

    public static KitManifest Read(string yaml, string source)
    {
        var reader = new ManifestReader();
        var root = ManifestYaml.Load(yaml, reader);
        var manifest = root is null ? null : ReadManifest(reader, root);
        if (manifest is null || reader.Errors.Count > 0)
        {
            // Problems are found section by section; the message reads better in document order.
            throw new KitManifestException(source, [.. reader.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
        }

        return manifest;
    }

    private static KitManifest? ReadManifest(ManifestReader reader, ManifestNode root)
    {
        if (reader.Section(root, "", TopKeys) is not { } top)
        {
            return null;
        }

        return new KitManifest
        {
            Name = top.Read("name", "", TryKitName, raw => $"{ManifestReader.Show(raw)} is not a kit name (lowercase letters, digits and -, starting with a letter)", required: true),
            Version = top.Read("version", "", TrySemanticVersion, raw => $"{ManifestReader.Show(raw)} is not a semantic version (e.g. 1.0.0)", required: true),
            Description = top.Text("description"),
            Homepage = top.Read<Uri?>("homepage", null, TryHttpUrl, raw => $"{ManifestReader.Show(raw)} is not an absolute http(s) URL"),
            Image = ReadImage(top.Section("image", ImageKeys, required: true)),
            Secrets = ReadSecrets(top.Section("secrets", SecretsKeys)),
            Routing = ReadRouting(top.Section("routing", RoutingKeys)),
            Networking = ReadNetworking(top.Section("networking", NetworkingKeys)),
            Policies = ReadPolicies(top.Section("policies", PoliciesKeys)),
            Resources = ReadResources(top.Section("resources", ResourcesKeys, required: true)),
        };
    }

    private static KitImage ReadImage(ManifestSection? image) => new()
    {
        Base = image?.Read("base", "", TryImageReference, raw => $"{ManifestReader.Show(raw)} is not an image reference", required: true) ?? "",
    };

    private static KitSecrets ReadSecrets(ManifestSection? secrets)
    {
        if (secrets is null)
        {
            return KitSecrets.None;
        }

        var specs = new List<SecretSpec>();
        var declaredAt = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (node, path) in secrets.List("required"))
        {
            if (secrets.Reader.Section(node, path, SecretKeys) is not { } item)
            {
                continue;
            }

            var spec = new SecretSpec
            {
                Name = item.Read("name", "", TryEnvironmentName, raw => $"{ManifestReader.Show(raw)} is not an environment variable name (letters, digits and _, not starting with a digit)", required: true),
                Description = item.Text("description"),
                Scope = item.Choice("scope", SecretScope.PerApp, Scopes, required: true),
                Generated = item.Flag("generated"),
                UserProvided = item.Flag("user_provided"),
                Optional = item.Flag("optional"),
            };
            if (spec.Generated && spec.UserProvided)
            {
                secrets.Reader.Report(path, node, "generated and user_provided cannot both be true");
            }

            if (spec.Name.Length > 0 && !declaredAt.TryAdd(spec.Name, path))
            {
                item.Report("name", $"{ManifestReader.Show(spec.Name)} is already declared at {declaredAt[spec.Name]}");
            }

            specs.Add(spec);
        }

        return new KitSecrets { Required = specs };
    }

    private static KitRouting? ReadRouting(ManifestSection? routing)
    {
        if (routing is null)
        {
            return null;
        }

        // An empty list would leave the router nowhere to send a request.
        var items = routing.List("expose", required: true, emptyProblem: "must list at least one port");
        var expose = new List<ExposedPort>();
        var exposedAt = new Dictionary<int, string>();
        foreach (var (node, path) in items)
        {
            if (routing.Reader.Section(node, path, ExposeKeys) is not { } item)
            {
                continue;
            }

            var port = new ExposedPort
            {
                Port = item.Read("port", 0, TryPort, raw => $"{ManifestReader.Show(raw)} is not a port (1-65535)", required: true),
                Protocol = item.Choice("protocol", ExposeProtocol.Http, Protocols),
                Ui = item.Flag("ui"),
            };
            if (port.Port != 0 && !exposedAt.TryAdd(port.Port, path))
            {
                item.Report("port", $"{port.Port} is already exposed at {exposedAt[port.Port]}");
            }

            expose.Add(port);
        }

        var stickiness = routing.Flag("session_stickiness");
        if (stickiness)
        {
            // One instance per app: there is nothing to stick a session to, and a kit that counts on it should hear so.
            routing.Report("session_stickiness", "true is not supported: aegisd runs one instance per app");
        }

        return new KitRouting
        {
            Scheme = routing.Read("scheme", "", TryRouteScheme, raw => ManifestReader.Show(raw) + (raw.StartsWith('/')
                ? $" is not supported: aegisd's router serves {SupportedScheme}"
                : " is not a path (it must start with /)"), required: true),
            SessionStickiness = stickiness,
            WebSocket = routing.Flag("websocket"),
            Expose = expose,
        };
    }

    private static KitNetworking ReadNetworking(ManifestSection? networking)
    {
        if (networking is null)
        {
            return KitNetworking.Default;
        }

        var hosts = new List<HostPort>();
        foreach (var (node, path) in networking.List("internal_hosts"))
        {
            var host = networking.Reader.Read<HostPort?>(node, path, node, required: true, null, HostPort.TryParse, raw => $"{ManifestReader.Show(raw)} is not host:port");
            if (host is not null)
            {
                hosts.Add(host);
            }
        }

        return new KitNetworking
        {
            Egress = networking.Choice("egress", EgressPolicy.Deny, Egress),
            InternalHosts = hosts,
            LongLivedConnections = networking.Flag("long_lived_connections"),
        };
    }

    private static KitPolicies ReadPolicies(ManifestSection? policies) => policies is null
        ? KitPolicies.Default
        : new KitPolicies
        {
            DefaultTask = policies.Choice("default_task", TaskPolicy.Stateless, TaskPolicies),
            DefaultServe = policies.Choice("default_serve", ServePolicy.Serve, ServePolicies),
        };

    private static KitResources ReadResources(ManifestSection? resources) => resources is null
        ? new KitResources { Memory = 0, Cpu = 0, Disk = 0 }
        : new KitResources
        {
            Memory = resources.Read("memory", 0L, TryPositiveSize, SizeProblem, required: true),
            Cpu = resources.Read("cpu", 0m, TryCpu, raw => $"{ManifestReader.Show(raw)} is not a CPU count (a number greater than 0, e.g. 1 or 0.5)", required: true),
            Disk = resources.Read("disk", 0L, TryPositiveSize, SizeProblem, required: true),
            MaxAgentsPerGroup = resources.Read<int?>("max_agents_per_group", null, TryAgentLimit, raw => $"{ManifestReader.Show(raw)} is not a whole number of at least 1"),
        };

    private static string SizeProblem(string raw) => ByteSize.TryParse(raw, out _)
        ? $"{ManifestReader.Show(raw)} is not a size greater than 0"
        : $"{ManifestReader.Show(raw)} is not a size (use e.g. 512mb or 1gb)";

    private static bool TryKitName(string text, out string value) => (value = text) is not null && KitName().IsMatch(text);

    private static bool TrySemanticVersion(string text, out string value) => (value = text) is not null && SemanticVersion().IsMatch(text);

    private static bool TryEnvironmentName(string text, out string value) => (value = text) is not null && EnvironmentName().IsMatch(text);

    private static bool TryImageReference(string text, out string value) =>
        (value = text).Length > 0 && !text.Any(char.IsWhiteSpace);

    /// <summary>The one route scheme aegisd's router has (<c>/agent/{appId}/{**path}</c>).</summary>
    private const string SupportedScheme = "/agent/{agentId}/{path}";

    private static bool TryRouteScheme(string text, out string value) => (value = text) == SupportedScheme;

    private static bool TryHttpUrl(string text, out Uri? value) =>
        Uri.TryCreate(text, UriKind.Absolute, out value) && (value.Scheme == Uri.UriSchemeHttps || value.Scheme == Uri.UriSchemeHttp);

    private static bool TryPort(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value is >= 1 and <= 65535;

    private static bool TryPositiveSize(string text, out long value) => ByteSize.TryParse(text, out value) && value > 0;

    private static bool TryCpu(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value) && value > 0;

    private static bool TryAgentLimit(string text, out int? value)
    {
        var ok = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1;
        value = ok ? number : null;
        return ok;
    }

    [GeneratedRegex("^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex KitName();

    // semver.org's regular expression, with [0-9] for \d so that only ASCII digits count.
    [GeneratedRegex(@"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex SemanticVersion();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvironmentName();
}
