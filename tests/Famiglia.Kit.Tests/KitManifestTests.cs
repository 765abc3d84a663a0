using Aegis.Core.Kits;
using Famiglia.TestKit;

namespace Famiglia.Kit.Tests;

public sealed class KitManifestTests
{
    private static string ManifestPath => RepositoryPaths.Combine("src", "Famiglia.Kit", "aegis-kit.yaml");

    [Fact]
    public async Task The_manifest_parses_with_Aegis_Core_and_holds_the_values_of_spec_section_2()
    {
        var manifest = await KitManifest.LoadAsync(ManifestPath);

        Assert.Equal("famiglia", manifest.Name);
        Assert.Equal("1.0.0", manifest.Version);
        Assert.Equal("Team canvas agents with XMPP chat and Space data integration", manifest.Description);
        Assert.Equal(new Uri("https://github.com/famiglia/aegis-kit-famiglia"), manifest.Homepage);
        Assert.Equal("ghcr.io/famiglia/agent-base:latest", manifest.Image.Base);

        Assert.Equal(
            [
                new SecretSpec { Name = "FAMIGLIA_API_KEY", Description = "Scoped read-only API key for Agent Data API", Scope = SecretScope.PerApp, Generated = true },
                new SecretSpec { Name = "XMPP_USER", Description = "XMPP username for ejabberd", Scope = SecretScope.PerApp, Generated = true },
                new SecretSpec { Name = "XMPP_PASSWORD", Description = "XMPP password for ejabberd", Scope = SecretScope.PerApp, Generated = true },
                new SecretSpec { Name = "ANTHROPIC_API_KEY", Description = "AI provider API key", Scope = SecretScope.PerWorkspace, UserProvided = true, Optional = true },
            ],
            manifest.Secrets.Required);

        var routing = Assert.IsType<KitRouting>(manifest.Routing);
        Assert.Equal("/agent/{agentId}/{path}", routing.Scheme);
        Assert.False(routing.SessionStickiness);
        Assert.True(routing.WebSocket);
        Assert.Equal([new ExposedPort { Port = 80, Protocol = ExposeProtocol.Http, Ui = true }], routing.Expose);

        Assert.Equal(EgressPolicy.Allow, manifest.Networking.Egress);
        Assert.Equal([new HostPort("famiglia-web", 3000), new HostPort("ejabberd", 5222), new HostPort("ejabberd", 5280)], manifest.Networking.InternalHosts);
        Assert.True(manifest.Networking.LongLivedConnections);

        Assert.Equal(TaskPolicy.Stateless, manifest.Policies.DefaultTask);
        Assert.Equal(ServePolicy.Serve, manifest.Policies.DefaultServe);

        Assert.Equal(512L * 1024 * 1024, manifest.Resources.Memory);
        Assert.Equal(1m, manifest.Resources.Cpu);
        Assert.Equal(1024L * 1024 * 1024, manifest.Resources.Disk);
        Assert.Equal(5, manifest.Resources.MaxAgentsPerGroup);
    }

    [Fact]
    public async Task The_program_carries_the_projects_manifest_byte_for_byte()
    {
        Assert.Equal(await File.ReadAllTextAsync(ManifestPath), KitWriter.Manifest());
    }
}
