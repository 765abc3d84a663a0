using Famiglia.TestKit;

namespace Famiglia.Kit.Tests;

public sealed class KitSettingsTests
{
    private const string RenderEnvRequest = """{"canvas":{"app_id":"app_1","name":"a","config":{}},"secrets":{},"env":{}}""";

    [Fact]
    public void Valid_settings_parse()
    {
        var settings = KitSettings.Parse(KitWorld.Settings(new Uri("http://127.0.0.1:3000"), "/var/lib/famiglia/kit-token"), "s.json");

        Assert.Equal("dev1.localhost", settings.XmppHost);
        Assert.Equal(new Uri("ws://ejabberd:5280/ws"), settings.XmppService);
        Assert.Equal(new Uri("http://famiglia-web:3000"), settings.ApiUrl);
        Assert.Equal(new Uri("http://127.0.0.1:3000"), settings.FamigliaWebUrl);
        Assert.Equal("/var/lib/famiglia/kit-token", settings.KitTokenFile);
        Assert.Equal(["echo", "photo-library"], settings.Templates.Keys.Order());
        Assert.Null(settings.XmppTls);
    }

    [Fact]
    public void Every_bad_setting_is_named()
    {
        var error = Assert.Throws<KitSettingsException>(() => KitSettings.Parse(
            """{"xmppHost": "", "xmppService": "http://ejabberd:5280/ws", "apiUrl": "famiglia-web:3000", "kitTokenFile": "kit-token", "templates": {"echo": 1}, "xmppTls": "maybe", "extra": true}""",
            "s.json"));

        Assert.Equal(
            [
                "unknown setting 'extra' (known: xmppHost, xmppService, apiUrl, famigliaWebUrl, kitTokenFile, templates, xmppTls)",
                "xmppHost must be a non-empty string",
                "xmppService 'http://ejabberd:5280/ws' is not a ws/wss/xmpp URL like ws://ejabberd:5280/ws",
                "apiUrl 'famiglia-web:3000' is not a http/https URL like http://famiglia-web:3000",
                "famigliaWebUrl is missing",
                "kitTokenFile 'kit-token' must be an absolute path",
                "templates.echo must be a non-empty command line",
                "xmppTls must be one of required, if-offered, disabled",
            ],
            error.Errors);
    }

    [Fact]
    public async Task A_hook_without_settings_exits_non_zero_and_says_where_it_looked()
    {
        using var empty = TempDirectory.Create("kit-nosettings");

        var (exitCode, output, error) = await HookProgram.RunAsync(["render_env"], RenderEnvRequest, workingDirectory: empty.Path);

        Assert.Equal(3, exitCode);
        Assert.Empty(output);
        Assert.Contains(Path.Combine(empty.Path, "famiglia-kit.json"), error);
        Assert.Contains("does not exist", error);
    }

    [Fact]
    public async Task A_hook_with_invalid_settings_exits_non_zero_naming_each_problem()
    {
        using var directory = TempDirectory.Create("kit-badsettings");
        var settings = directory.Combine("settings.json");
        await File.WriteAllTextAsync(settings, """{"xmppHost": "dev1.localhost"}""");

        var (exitCode, output, error) = await HookProgram.RunAsync(["render_env"], RenderEnvRequest, new Dictionary<string, string> { ["FAMIGLIA_KIT_SETTINGS"] = settings });

        Assert.Equal(3, exitCode);
        Assert.Empty(output);
        Assert.Contains("xmppService is missing", error);
        Assert.Contains("famigliaWebUrl is missing", error);
        Assert.Contains("kitTokenFile is missing", error);
    }

    [Fact]
    public async Task Without_FAMIGLIA_KIT_SETTINGS_the_hook_reads_famiglia_kit_json_in_its_working_directory()
    {
        using var directory = TempDirectory.Create("kit-cwd");
        await File.WriteAllTextAsync(directory.Combine("famiglia-kit.json"), KitWorld.Settings(new Uri("http://127.0.0.1:1"), "/nonexistent/kit-token"));
        const string request = """{"canvas":{"app_id":"app_1","name":"a","config":{"name":"A","slug":"s-a","groupId":"g","groupSlug":"f","roomId":"r","roomSlug":"p"}},"secrets":{},"env":{}}""";

        var (exitCode, output, error) = await HookProgram.RunAsync(["render_env"], request, workingDirectory: directory.Path);

        Assert.True(exitCode == 0, error);
        Assert.Contains("\"XMPP_MUC_JID\":\"p.f@conference.dev1.localhost\"", output);
    }

    [Fact]
    public async Task FAMIGLIA_KIT_SETTINGS_must_be_absolute()
    {
        var (exitCode, _, error) = await HookProgram.RunAsync(["render_env"], RenderEnvRequest, new Dictionary<string, string> { ["FAMIGLIA_KIT_SETTINGS"] = "famiglia-kit.json" });

        Assert.Equal(3, exitCode);
        Assert.Contains("FAMIGLIA_KIT_SETTINGS must be an absolute path", error);
    }
}
