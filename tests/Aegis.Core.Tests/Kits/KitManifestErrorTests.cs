using Aegis.Core.Kits;

namespace Aegis.Core.Tests.Kits;

public sealed class KitManifestErrorTests
{
    [Theory]
    [InlineData("  memory: 512mb", "  memory: 512mbb", "resources.memory: \"512mbb\" is not a size (use e.g. 512mb or 1gb)")]
    [InlineData("  memory: 512mb", "  memory: 0mb", "resources.memory: \"0mb\" is not a size greater than 0")]
    [InlineData("  memory: 512mb", "  memory:\n    - 512mb", "resources.memory: expected a value, found a list")]
    [InlineData("  disk: 1gb", "  disk: 1.5gb", "resources.disk: \"1.5gb\" is not a size (use e.g. 512mb or 1gb)")]
    [InlineData("  cpu: 1", "  cpu: 0", "resources.cpu: 0 is not a CPU count (a number greater than 0, e.g. 1 or 0.5)")]
    [InlineData("  cpu: 1", "  cpus: 1", "resources: unknown key \"cpus\" (did you mean \"cpu\"?)")]
    [InlineData("  max_agents_per_group: 5", "  max_agents_per_group: 0", "resources.max_agents_per_group: 0 is not a whole number of at least 1")]
    [InlineData("resources:", "resourcez:", "unknown key \"resourcez\" at the top level (did you mean \"resources\"?)")]
    [InlineData("resources:", "resourcez:", "resources: required")]
    [InlineData("name: famiglia\n", "", "name: required")]
    [InlineData("name: famiglia", "name: Famiglia Kit", "name: \"Famiglia Kit\" is not a kit name")]
    [InlineData("version: 1.0.0", "version: 1.x", "version: \"1.x\" is not a semantic version")]
    [InlineData("homepage: https://github.com/famiglia/aegis-kit-famiglia", "homepage: github.com/famiglia", "homepage: \"github.com/famiglia\" is not an absolute http(s) URL")]
    [InlineData("image:\n  base: ghcr.io/famiglia/agent-base:latest\n", "", "image: required")]
    [InlineData("description: \"XMPP password for ejabberd\"\n      scope: per_app", "description: \"XMPP password for ejabberd\"\n      scope: global", "secrets.required[2].scope: \"global\" is not one of per_app, per_workspace")]
    [InlineData("description: \"XMPP password for ejabberd\"\n      scope: per_app", "description: \"XMPP password for ejabberd\"", "secrets.required[2].scope: required")]
    [InlineData("    - name: XMPP_PASSWORD", "    - name: XMPP_USER", "secrets.required[2].name: \"XMPP_USER\" is already declared at secrets.required[1]")]
    [InlineData("    - name: XMPP_PASSWORD", "    - name: XMPP-PASSWORD", "secrets.required[2].name: \"XMPP-PASSWORD\" is not an environment variable name")]
    [InlineData("      optional: true", "      optional: true\n      generated: true", "secrets.required[3]: generated and user_provided cannot both be true")]
    [InlineData("      optional: true", "      optinal: true", "secrets.required[3]: unknown key \"optinal\" (did you mean \"optional\"?)")]
    [InlineData("    - port: 80", "    - port: 70000", "routing.expose[0].port: 70000 is not a port (1-65535)")]
    [InlineData("# Canvas is user-facing", "# Canvas is user-facing\n    - port: 80", "routing.expose[1].port: 80 is already exposed at routing.expose[0]")]
    [InlineData("      protocol: http", "      protocol: udp", "routing.expose[0].protocol: \"udp\" is not one of http")]
    [InlineData("  websocket: true", "  websocket: yes", "routing.websocket: \"yes\" is not true or false")]
    [InlineData("  scheme: \"/agent/{agentId}/{path}\"", "  scheme: agent", "routing.scheme: \"agent\" is not a path (it must start with /)")]
    [InlineData("  scheme: \"/agent/{agentId}/{path}\"", "  scheme: /canvas/{path}", "routing.scheme: \"/canvas/{path}\" is not supported: aegisd's router serves /agent/{agentId}/{path}")]
    [InlineData("  session_stickiness: false", "  session_stickiness: true", "routing.session_stickiness: true is not supported: aegisd runs one instance per app")]
    [InlineData("  expose:\n    - port: 80\n      protocol: http\n      ui: true                            # Canvas is user-facing\n", "  expose: []\n", "routing.expose: must list at least one port")]
    [InlineData("    - ejabberd:5222 ", "    - ejabberd ", "networking.internal_hosts[1]: \"ejabberd\" is not host:port")]
    [InlineData("    - ejabberd:5280 ", "    - ejabberd:70000 ", "networking.internal_hosts[2]: \"ejabberd:70000\" is not host:port")]
    [InlineData("  egress: allow", "  egress: maybe", "networking.egress: \"maybe\" is not one of allow, deny")]
    [InlineData("  long_lived_connections: true", "  long_lived_connections: true\n  egress: deny", "networking: key \"egress\" appears twice")]
    [InlineData("  default_task: stateless", "  default_task: forever", "policies.default_task: \"forever\" is not one of stateless")]
    [InlineData("policies:\n  default_task: stateless\n  default_serve: serve\n", "policies: serve\n", "policies: expected a mapping, found \"serve\"")]
    public void A_malformed_manifest_is_rejected_with_the_key_path_and_the_problem(string original, string replacement, string expected)
    {
        var yaml = Mutate(KitManifestTests.SpecManifest, original, replacement);

        var error = Assert.Throws<KitManifestException>(() => KitManifest.Parse(yaml));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(error.Errors, e => e.ToString() == expected || e.ToString().StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Each_error_points_at_the_line_and_column_of_the_offending_value()
    {
        var yaml = Mutate(KitManifestTests.SpecManifest, "  memory: 512mb", "  memory: 512mbb");
        var line = Array.FindIndex(yaml.Split('\n'), l => l.StartsWith("  memory:", StringComparison.Ordinal)) + 1;

        var error = Assert.Throws<KitManifestException>(() => KitManifest.Parse(yaml, "kits/famiglia/aegis-kit.yaml"));

        Assert.Equal(new KitManifestError("resources.memory", "\"512mbb\" is not a size (use e.g. 512mb or 1gb)", line, 11), Assert.Single(error.Errors));
        Assert.Equal($"kits/famiglia/aegis-kit.yaml:{line}:11: resources.memory: \"512mbb\" is not a size (use e.g. 512mb or 1gb)", error.Message);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_in_document_order()
    {
        var yaml = Mutate(KitManifestTests.SpecManifest, "version: 1.0.0", "version: 1.x");
        yaml = Mutate(yaml, "    - port: 80", "    - port: 70000");
        yaml = Mutate(yaml, "  memory: 512mb", "  memory: 512mbb");

        var error = Assert.Throws<KitManifestException>(() => KitManifest.Parse(yaml));

        Assert.Equal(["version", "routing.expose[0].port", "resources.memory"], error.Errors.Select(e => e.Path));
        Assert.StartsWith("aegis-kit.yaml has 3 errors:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_YAML_syntax_error_is_reported_with_its_line_and_column()
    {
        var yaml = Mutate(KitManifestTests.SpecManifest, "  websocket: true", "  websocket: true\n   broken: [");

        var error = Assert.Throws<KitManifestException>(() => KitManifest.Parse(yaml));

        var syntax = Assert.Single(error.Errors);
        Assert.StartsWith("YAML syntax error: ", syntax.Problem, StringComparison.Ordinal);
        Assert.Equal("", syntax.Path);
        Assert.Equal(Array.FindIndex(yaml.Split('\n'), l => l.Contains("broken", StringComparison.Ordinal)) + 1, syntax.Line);
        Assert.StartsWith($"aegis-kit.yaml:{syntax.Line}:{syntax.Column}: YAML syntax error: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_flow_collection_is_a_syntax_error_not_a_crash()
    {
        var error = Assert.Throws<KitManifestException>(() => KitManifest.Parse("name: [famiglia\nversion: 1.0.0\n"));

        Assert.StartsWith("YAML syntax error: ", Assert.Single(error.Errors).Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "the manifest is empty")]
    [InlineData("# only a comment\n", "the manifest is empty")]
    [InlineData("- name: famiglia\n", "the manifest must be a mapping of keys, found a list")]
    [InlineData("famiglia\n", "the manifest must be a mapping of keys, found \"famiglia\"")]
    [InlineData("name: a\n---\nname: b\n", "the manifest holds several YAML documents; it must be one")]
    [InlineData("name: famiglia\nname: other\n", "key \"name\" appears twice at the top level")]
    [InlineData("base: &b { base: x }\n", "unknown key \"base\" at the top level")]
    [InlineData("image: *nowhere\n", "alias *nowhere has no anchor before it")]
    public void A_manifest_that_is_not_one_mapping_is_rejected(string yaml, string expected)
    {
        var error = Assert.Throws<KitManifestException>(() => KitManifest.Parse(yaml));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deeply_nested_document_is_rejected_instead_of_exhausting_the_stack()
    {
        var yaml = $"name: {new string('[', 100_000)}{new string(']', 100_000)}\n";

        var error = Assert.Throws<KitManifestException>(() => KitManifest.Parse(yaml));

        Assert.Equal("YAML syntax error: the document nests deeper than 64 levels", Assert.Single(error.Errors).Problem);
    }

    [Fact]
    public void Anchors_and_aliases_resolve_like_any_YAML_reader()
    {
        var manifest = KitManifest.Parse("""
            name: aliased
            version: 1.0.0
            image:
              base: &image alpine:3
            secrets:
              required:
                - name: A
                  description: *image
                  scope: per_app
            resources: { memory: 1gb, cpu: 1, disk: 1gb }
            """);

        Assert.Equal("alpine:3", manifest.Secrets.Required[0].Description);
    }

    private static string Mutate(string yaml, string original, string replacement)
    {
        var at = yaml.IndexOf(original, StringComparison.Ordinal);
        Assert.True(at >= 0, $"the manifest has no \"{original}\"");
        Assert.True(yaml.IndexOf(original, at + 1, StringComparison.Ordinal) < 0, $"the manifest has \"{original}\" more than once");
        return string.Concat(yaml.AsSpan(0, at), replacement, yaml.AsSpan(at + original.Length));
    }
}
