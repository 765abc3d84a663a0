using Aegis.Core.Kits;

namespace Aegis.Core.Tests.Kits;

public sealed class KitManifestTests
{
    internal static string SpecManifestPath { get; } = Path.Combine(AppContext.BaseDirectory, "Kits", "TestData", "famiglia-aegis-kit.yaml");

    internal static string SpecManifest { get; } = File.ReadAllText(SpecManifestPath);

    [Fact]
    public void The_spec_manifest_parses_to_every_declared_value()
    {
        var manifest = KitManifest.Parse(SpecManifest);

        Assert.Equal("famiglia", manifest.Name);
        Assert.Equal("1.0.0", manifest.Version);
        Assert.Equal("Team canvas agents with XMPP chat and Space data integration", manifest.Description);
        Assert.Equal(new Uri("https://github.com/famiglia/aegis-kit-famiglia"), manifest.Homepage);
        Assert.Equal("ghcr.io/famiglia/agent-base:latest", manifest.Image.Base);

        Assert.Collection(
            manifest.Secrets.Required,
            s => AssertSecret(s, "FAMIGLIA_API_KEY", "Scoped read-only API key for Agent Data API", SecretScope.PerApp, generated: true, userProvided: false, optional: false),
            s => AssertSecret(s, "XMPP_USER", "XMPP username for ejabberd", SecretScope.PerApp, generated: true, userProvided: false, optional: false),
            s => AssertSecret(s, "XMPP_PASSWORD", "XMPP password for ejabberd", SecretScope.PerApp, generated: true, userProvided: false, optional: false),
            s => AssertSecret(s, "ANTHROPIC_API_KEY", "AI provider API key", SecretScope.PerWorkspace, generated: false, userProvided: true, optional: true));

        var routing = Assert.IsType<KitRouting>(manifest.Routing);
        Assert.Equal("/agent/{agentId}/{path}", routing.Scheme);
        Assert.False(routing.SessionStickiness);
        Assert.True(routing.WebSocket);
        var exposed = Assert.Single(routing.Expose);
        Assert.Equal(new ExposedPort { Port = 80, Protocol = ExposeProtocol.Http, Ui = true }, exposed);

        Assert.Equal(EgressPolicy.Allow, manifest.Networking.Egress);
        Assert.Equal(
            new HostPort[] { new("famiglia-web", 3000), new("ejabberd", 5222), new("ejabberd", 5280) },
            manifest.Networking.InternalHosts);
        Assert.True(manifest.Networking.LongLivedConnections);

        Assert.Equal(TaskPolicy.Stateless, manifest.Policies.DefaultTask);
        Assert.Equal(ServePolicy.Serve, manifest.Policies.DefaultServe);

        Assert.Equal(536_870_912L, manifest.Resources.Memory);
        Assert.Equal(1m, manifest.Resources.Cpu);
        Assert.Equal(1_073_741_824L, manifest.Resources.Disk);
        Assert.Equal(5, manifest.Resources.MaxAgentsPerGroup);
    }

    [Fact]
    public async Task LoadAsync_reads_the_manifest_from_a_kit_directory()
    {
        using var kit = Famiglia.TestKit.TempDirectory.Create("kit");
        File.Copy(SpecManifestPath, kit.Combine(KitManifest.FileName));

        var manifest = await KitManifest.LoadAsync(kit.Path);

        Assert.Equal("famiglia", manifest.Name);
    }

    [Fact]
    public void A_manifest_with_only_the_required_keys_gets_the_documented_defaults()
    {
        var manifest = KitManifest.Parse("""
            name: minimal
            version: 0.1.0-beta.2+build.7
            image:
              base: alpine:3
            resources:
              memory: 256kb
              cpu: 0.5
              disk: 2g
            """);

        Assert.Equal("0.1.0-beta.2+build.7", manifest.Version);
        Assert.Null(manifest.Description);
        Assert.Null(manifest.Homepage);
        Assert.Empty(manifest.Secrets.Required);
        Assert.Null(manifest.Routing);
        Assert.Equal(EgressPolicy.Deny, manifest.Networking.Egress);
        Assert.Empty(manifest.Networking.InternalHosts);
        Assert.False(manifest.Networking.LongLivedConnections);
        Assert.Equal(KitPolicies.Default, manifest.Policies);
        Assert.Equal(new KitResources { Memory = 262_144, Cpu = 0.5m, Disk = 2_147_483_648, MaxAgentsPerGroup = null }, manifest.Resources);
    }

    [Fact]
    public void Optional_fields_of_list_items_take_their_defaults()
    {
        var manifest = KitManifest.Parse("""
            name: defaults
            version: 1.0.0
            image: { base: "alpine:3" }
            secrets:
              required:
                - name: TOKEN
                  scope: per_workspace
            routing:
              scheme: /agent/{agentId}/{path}
              expose:
                - port: 8080
            resources: { memory: 1GiB, cpu: 2, disk: 10 GB }
            """);

        Assert.Equal(new SecretSpec { Name = "TOKEN", Scope = SecretScope.PerWorkspace }, Assert.Single(manifest.Secrets.Required));
        var routing = manifest.Routing!;
        Assert.False(routing.WebSocket);
        Assert.Equal(new ExposedPort { Port = 8080, Protocol = ExposeProtocol.Http, Ui = false }, Assert.Single(routing.Expose));
        Assert.Equal(10L << 30, manifest.Resources.Disk);
    }

    private static void AssertSecret(SecretSpec secret, string name, string description, SecretScope scope, bool generated, bool userProvided, bool optional) =>
        Assert.Equal(
            new SecretSpec { Name = name, Description = description, Scope = scope, Generated = generated, UserProvided = userProvided, Optional = optional },
            secret);
}
