using System.Text.Json;
using Aegis.Core.Kits;

namespace Aegis.Core.Tests.Kits;

public sealed class KitHooksTests : IDisposable
{
    private static readonly KitCanvas Canvas = new()
    {
        AppId = "app-42",
        Name = "standup-bot",
        Config = JsonDocument.Parse("""{"group_id":"g1","room_id":"r7"}""").RootElement,
    };

    private readonly HookScripts _scripts = new();

    [Fact]
    public async Task RenderEnv_sends_canvas_secrets_and_env_and_returns_the_hooks_env()
    {
        var hooks = new KitHooks(new KitHooksOptions
        {
            Executable = _scripts.Write("""
                echo "$1" > hook-name.txt
                cat > request.json
                echo '{"env":{"A":"1","XMPP_MUC_JID":"r7@conference.famiglia"}}'
                """),
        });

        var env = await hooks.RenderEnvAsync(Canvas, new Dictionary<string, string> { ["XMPP_PASSWORD"] = "pw" }, new Dictionary<string, string> { ["A"] = "0" });

        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["XMPP_MUC_JID"] = "r7@conference.famiglia" }, env);
        Assert.Equal("render_env\n", _scripts.ReadFile("hook-name.txt"));
        using var request = JsonDocument.Parse(_scripts.ReadFile("request.json"));
        var root = request.RootElement;
        Assert.Equal("app-42", root.GetProperty("canvas").GetProperty("app_id").GetString());
        Assert.Equal("standup-bot", root.GetProperty("canvas").GetProperty("name").GetString());
        Assert.Equal("r7", root.GetProperty("canvas").GetProperty("config").GetProperty("room_id").GetString());
        Assert.Equal("pw", root.GetProperty("secrets").GetProperty("XMPP_PASSWORD").GetString());
        Assert.Equal("0", root.GetProperty("env").GetProperty("A").GetString());
    }

    [Fact]
    public async Task ValidateConfig_sends_the_canvas_config_and_returns_the_verdict()
    {
        var hooks = new KitHooks(new KitHooksOptions
        {
            Executable = _scripts.Write("""
                echo "$1" > hook-name.txt
                cat > request.json
                echo '{"ok":false,"errors":["agent name \"bot\" is taken in this group"]}'
                """),
        });

        var verdict = await hooks.ValidateConfigAsync(JsonDocument.Parse("""{"agent_name":"bot"}""").RootElement);

        Assert.False(verdict.Ok);
        Assert.Equal(["agent name \"bot\" is taken in this group"], verdict.Errors);
        Assert.Equal("validate_config\n", _scripts.ReadFile("hook-name.txt"));
        using var request = JsonDocument.Parse(_scripts.ReadFile("request.json"));
        Assert.Equal("bot", request.RootElement.GetProperty("canvas_config").GetProperty("agent_name").GetString());
    }

    [Fact]
    public async Task ValidateConfig_accepts_a_response_without_errors()
    {
        var hooks = new KitHooks(new KitHooksOptions { Executable = _scripts.Write("""cat > /dev/null; echo '{"ok":true}'""") });

        var verdict = await hooks.ValidateConfigAsync(JsonDocument.Parse("{}").RootElement);

        Assert.True(verdict.Ok);
        Assert.Empty(verdict.Errors);
    }

    [Fact]
    public async Task OnPublish_sends_canvas_version_and_artifacts()
    {
        var hooks = new KitHooks(new KitHooksOptions
        {
            Executable = _scripts.Write("""
                echo "$1" > hook-name.txt
                cat > request.json
                echo '{}'
                """),
        });

        await hooks.OnPublishAsync(Canvas, "rel-7", [new KitArtifact { Path = "canvas/index.html", SizeBytes = 512, Sha256 = new string('a', 64) }]);

        Assert.Equal("on_publish\n", _scripts.ReadFile("hook-name.txt"));
        using var request = JsonDocument.Parse(_scripts.ReadFile("request.json"));
        var root = request.RootElement;
        Assert.Equal("app-42", root.GetProperty("canvas").GetProperty("app_id").GetString());
        Assert.Equal("rel-7", root.GetProperty("version").GetString());
        var artifact = Assert.Single(root.GetProperty("artifacts").EnumerateArray().ToArray());
        Assert.Equal("canvas/index.html", artifact.GetProperty("path").GetString());
        Assert.Equal(512, artifact.GetProperty("size_bytes").GetInt64());
        Assert.Equal(new string('a', 64), artifact.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task A_kit_without_hooks_passes_env_through_accepts_any_config_and_ignores_publishes()
    {
        var hooks = new KitHooks(new KitHooksOptions());
        var env = new Dictionary<string, string> { ["A"] = "1" };

        Assert.False(hooks.IsConfigured);
        Assert.Same(env, await hooks.RenderEnvAsync(Canvas, new Dictionary<string, string> { ["S"] = "x" }, env));
        Assert.Equal(KitConfigValidation.Valid, await hooks.ValidateConfigAsync(JsonDocument.Parse("{}").RootElement));
        await hooks.OnPublishAsync(Canvas, "rel-1", []);
    }

    [Fact]
    public async Task The_hook_sees_only_a_minimal_environment_plus_the_configured_extras()
    {
        const string daemonOnly = "AEGIS_CORE_TESTS_DAEMON_TOKEN";
        Environment.SetEnvironmentVariable(daemonOnly, "daemon-credential");
        try
        {
            var hooks = new KitHooks(new KitHooksOptions
            {
                Executable = _scripts.Write("""cat > /dev/null; env > env.txt; echo '{}'"""),
                ExtraEnvironment = new Dictionary<string, string> { ["FAMIGLIA_URL"] = "http://famiglia-web:3000" },
            });

            await hooks.OnPublishAsync(Canvas, "rel-1", []);

            var env = _scripts.ReadFile("env.txt");
            Assert.DoesNotContain(daemonOnly, env, StringComparison.Ordinal);
            Assert.Contains("FAMIGLIA_URL=http://famiglia-web:3000", env, StringComparison.Ordinal);
            Assert.Contains("PATH=", env, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(daemonOnly, null);
        }
    }

    [Fact]
    public async Task Stderr_lines_go_to_the_log()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        var hooks = new KitHooks(
            new KitHooksOptions { Executable = _scripts.Write("""cat > /dev/null; echo 'notified famiglia' >&2; echo '{}'""") },
            factory);

        await hooks.OnPublishAsync(Canvas, "rel-1", []);

        Assert.Contains(logs.Lines, l => l.Contains("Kit hook on_publish: notified famiglia", StringComparison.Ordinal));
    }

    public void Dispose() => _scripts.Dispose();
}
