using System.Text.Json;
using Aegis.Core.Kits;

namespace Famiglia.Kit.Tests;

/// <summary><c>render_env</c> through Aegis.Core's runner executing the wrapper <c>write-kit</c> wrote, as aegisd runs it.</summary>
[Collection(KitWorldCollection.Name)]
public sealed class RenderEnvHookTests(KitWorld world)
{
    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["XMPP_USER"] = "s-photo-agent",
        ["XMPP_PASSWORD"] = "pw-" + Guid.NewGuid().ToString("N"),
        ["FAMIGLIA_API_KEY"] = "fam_" + Guid.NewGuid().ToString("N"),
        ["ANTHROPIC_API_KEY"] = "sk-ant-" + Guid.NewGuid().ToString("N"),
    };

    private static readonly Dictionary<string, string> AegisEnv = new()
    {
        ["AEGIS_APP_ID"] = "app_0123456789abcdef",
        ["AEGIS_INSTANCE_ID"] = "ins_fedcba9876543210",
        ["AEGIS_RELEASE_VERSION"] = "2",
    };

    [Fact]
    public async Task Render_env_returns_the_given_env_plus_the_room_identity_and_addresses_and_nothing_secret()
    {
        var env = await world.Hooks.RenderEnvAsync(Canvas(world.Config("Photo Agent", "s-photo-agent")), Secrets, AegisEnv);

        var expected = new Dictionary<string, string>(AegisEnv)
        {
            ["XMPP_MUC_JID"] = "photos.feldmans@conference.dev1.localhost",
            ["XMPP_NICK"] = "@s:photo-agent@dev1.localhost",
            ["XMPP_DOMAIN"] = "dev1.localhost",
            ["XMPP_SERVICE"] = "ws://ejabberd:5280/ws",
            ["FAMIGLIA_AGENT_NAME"] = "Photo Agent",
            ["FAMIGLIA_GROUP_ID"] = world.FeldmansId,
            ["FAMIGLIA_ROOM_ID"] = world.PhotosRoomId,
            ["FAMIGLIA_THREAD"] = "doc_0193a7c2e5f0",
            ["FAMIGLIA_API_URL"] = "http://famiglia-web:3000",
            ["AGENT_DEFAULT_COMMAND"] = KitWorld.PhotoLibraryCommand,
        };
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), env.OrderBy(e => e.Key, StringComparer.Ordinal));
        AssertNoSecret(env);
    }

    [Fact]
    public async Task AgentCommand_is_AGENT_COMMAND_the_template_AGENT_DEFAULT_COMMAND_and_without_either_there_is_neither()
    {
        var custom = world.Config("Custom Agent", "s-custom-agent", template: "echo");
        custom["agentCommand"] = "node /agent/custom.js --verbose";
        var bare = world.Config("Bare Agent", "s-bare-agent", template: null);
        bare.Remove("thread");

        var customEnv = await world.Hooks.RenderEnvAsync(Canvas(custom), Secrets, AegisEnv);
        var bareEnv = await world.Hooks.RenderEnvAsync(Canvas(bare), Secrets, AegisEnv);

        Assert.Equal("node /agent/custom.js --verbose", customEnv["AGENT_COMMAND"]);
        Assert.Equal(KitWorld.EchoCommand, customEnv["AGENT_DEFAULT_COMMAND"]);
        Assert.False(bareEnv.ContainsKey("AGENT_COMMAND"));
        Assert.False(bareEnv.ContainsKey("AGENT_DEFAULT_COMMAND"));
        Assert.False(bareEnv.ContainsKey("FAMIGLIA_THREAD"));
        Assert.Equal("@s:bare-agent@dev1.localhost", bareEnv["XMPP_NICK"]);
    }

    [Fact]
    public async Task Secrets_passed_in_env_by_mistake_are_not_echoed_back()
    {
        var env = new Dictionary<string, string>(AegisEnv)
        {
            ["XMPP_PASSWORD"] = Secrets["XMPP_PASSWORD"],
            ["FAMIGLIA_API_KEY"] = Secrets["FAMIGLIA_API_KEY"],
        };

        var rendered = await world.Hooks.RenderEnvAsync(Canvas(world.Config("Photo Agent", "s-photo-agent")), Secrets, env);

        AssertNoSecret(rendered);
        Assert.Equal("app_0123456789abcdef", rendered["AEGIS_APP_ID"]);
    }

    [Fact]
    public async Task An_invalid_config_fails_the_hook_naming_the_fields_and_no_secret()
    {
        var config = world.Config("Photo Agent", "photo-agent");
        config.Remove("roomSlug");

        var failure = await Assert.ThrowsAsync<KitHookException>(() => world.Hooks.RenderEnvAsync(Canvas(config), Secrets, AegisEnv));

        Assert.Equal(KitHookFailure.NonZeroExit, failure.Failure);
        Assert.Contains("slug 'photo-agent'", failure.Message);
        Assert.Contains("roomSlug is missing", failure.Message);
        Assert.DoesNotContain(Secrets.Values, secret => failure.Message.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_xmppTls_setting_becomes_XMPP_TLS()
    {
        var hooks = await world.WriteKitAsync("kit-tls", world.Web.BaseAddress, world.TokenFile, xmppTls: "disabled");

        var env = await hooks.RenderEnvAsync(Canvas(world.Config("Photo Agent", "s-photo-agent")), Secrets, AegisEnv);

        Assert.Equal("disabled", env["XMPP_TLS"]);
    }

    private static KitCanvas Canvas(Dictionary<string, string?> config) => new()
    {
        AppId = "app_0123456789abcdef",
        Name = config["name"]!,
        Config = JsonSerializer.SerializeToElement(config),
    };

    private static void AssertNoSecret(IReadOnlyDictionary<string, string> env)
    {
        Assert.DoesNotContain(env.Keys, name => name is "XMPP_USER" or "XMPP_PASSWORD" or "FAMIGLIA_API_KEY" or "ANTHROPIC_API_KEY");
        foreach (var secret in Secrets.Where(s => s.Key != "XMPP_USER").Select(s => s.Value))
        {
            Assert.DoesNotContain(env.Values, value => value.Contains(secret, StringComparison.Ordinal));
        }
    }
}
