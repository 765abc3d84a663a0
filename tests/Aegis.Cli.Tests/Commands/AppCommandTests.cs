using System.Text.Json;
using Famiglia.TestKit;

namespace Aegis.Cli.Tests.Commands;

public class AppCommandTests
{
    [Fact]
    public async Task App_publish_of_a_directory_then_app_releases_json_shows_version_1()
    {
        await using var daemon = await AegisdProcess.StartAsync();
        (await daemon.Api.PostAsync("/v1/kits", System.Net.Http.Json.JsonContent.Create(new { manifest = Manifests.Minimal("appkit") }))).EnsureSuccessStatusCode();
        var create = await daemon.RunCliAsync("app", "create", "canvas", "--kit", "appkit", "--config", """{"command":["sleep","600"]}""");
        Assert.True(create.ExitCode == 0, create.ToString());
        var appId = create.Stdout.Trim();
        using var release = TempDirectory.Create("aegis-cli-release");
        await File.WriteAllTextAsync(release.Combine("index.html"), "<h1>canvas</h1>");
        Directory.CreateDirectory(release.Combine("agent"));
        await File.WriteAllTextAsync(release.Combine("agent", "main.py"), "print('hi')");

        var publish = await daemon.RunCliAsync("app", "publish", release.Path, "--app", appId);
        var releases = await daemon.RunCliAsync("app", "releases", appId, "--json");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.StartsWith($"published {appId} version 1: rel_", publish.Stdout, StringComparison.Ordinal);
        Assert.True(releases.ExitCode == 0, releases.ToString());
        var listed = Assert.Single(JsonDocument.Parse(releases.Stdout).RootElement.EnumerateArray());
        Assert.Equal(1, listed.GetProperty("version").GetInt32());
        Assert.Equal(appId, listed.GetProperty("appId").GetString());
    }

    [Fact]
    public async Task App_publish_to_an_unknown_app_exits_1()
    {
        await using var daemon = await AegisdProcess.StartAsync();
        using var release = TempDirectory.Create("aegis-cli-release");
        await File.WriteAllTextAsync(release.Combine("index.html"), "x");

        var result = await daemon.RunCliAsync("app", "publish", release.Path, "--app", "app_missing");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Equal("error: App not found: There is no app 'app_missing'.\n", result.Stderr);
    }

    [Fact]
    public async Task App_serve_and_unserve_say_whether_the_route_wakes_the_app()
    {
        await using var daemon = await AegisdProcess.StartAsync();
        var appId = await daemon.CreateSleepingAppAsync("servekit", "served");

        var serve = await daemon.RunCliAsync("app", "serve", appId);
        Assert.True(serve.ExitCode == 0, serve.ToString());
        Assert.True((await Served()).GetBoolean());

        var unserve = await daemon.RunCliAsync("app", "unserve", appId);
        Assert.True(unserve.ExitCode == 0, unserve.ToString());
        Assert.Equal($"{appId} is no longer served; requests to its route do not wake it\n", unserve.Stdout);
        Assert.False((await Served()).GetBoolean());

        var unknown = await daemon.RunCliAsync("app", "unserve", "app_missing");
        Assert.Equal(ExitCodes.Refused, unknown.ExitCode);

        async Task<JsonElement> Served() =>
            JsonDocument.Parse(await daemon.Api.GetStringAsync($"/v1/apps/{appId}")).RootElement.GetProperty("served");
    }

    [Fact]
    public async Task App_secrets_sets_from_the_environment_or_inline_removes_and_lists_names_never_values()
    {
        await using var daemon = await AegisdProcess.StartAsync();
        var appId = await daemon.CreateSleepingAppAsync("secretkit", "keyed");
        const string fromEnvironment = "AEGIS_CLI_TEST_API_KEY";
        Environment.SetEnvironmentVariable(fromEnvironment, "sk-from-the-environment");
        try
        {
            var set = await daemon.RunCliAsync("app", "secrets", appId, "--set", fromEnvironment, "--set", "MODEL=small-model");
            Assert.True(set.ExitCode == 0, set.ToString());
            Assert.Equal($"{fromEnvironment}\nMODEL\n", set.Stdout);

            var removed = await daemon.RunCliAsync("app", "secrets", appId, "--remove", "MODEL", "--json");
            Assert.True(removed.ExitCode == 0, removed.ToString());
            Assert.Equal([fromEnvironment], JsonDocument.Parse(removed.Stdout).RootElement.EnumerateArray().Select(n => n.GetString()));
            Assert.DoesNotContain("sk-from-the-environment", set.Stdout + removed.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(fromEnvironment, null);
        }

        var missing = await daemon.RunCliAsync("app", "secrets", appId, "--set", "AEGIS_CLI_TEST_NOT_SET");
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("no environment variable AEGIS_CLI_TEST_NOT_SET", missing.Stderr, StringComparison.Ordinal);

        var unknown = await daemon.RunCliAsync("app", "secrets", appId, "--remove", "NOPE");
        Assert.Equal(ExitCodes.Refused, unknown.ExitCode);
        Assert.Contains("There is no secret 'NOPE'.", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task App_create_takes_the_kits_required_secrets_and_without_them_says_which_are_missing()
    {
        await using var daemon = await AegisdProcess.StartAsync();
        var manifest = Manifests.Minimal("tokenkit") + """

            secrets:
              required:
                - name: API_TOKEN
                  description: "Token for the data API"
                  scope: per_app
                  generated: true
            """;
        (await daemon.Api.PostAsync("/v1/kits", System.Net.Http.Json.JsonContent.Create(new { manifest }))).EnsureSuccessStatusCode();
        const string config = """{"command":["sleep","600"]}""";

        var refused = await daemon.RunCliAsync("app", "create", "bare", "--kit", "tokenkit", "--config", config);
        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.Contains("Required secrets missing", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("API_TOKEN (Token for the data API)", refused.Stderr, StringComparison.Ordinal);

        var created = await daemon.RunCliAsync("app", "create", "keyed", "--kit", "tokenkit", "--config", config, "--secret", "API_TOKEN=tok-1", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var appId = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("appId").GetString();
        var names = JsonDocument.Parse(await daemon.Api.GetStringAsync($"/v1/apps/{appId}")).RootElement.GetProperty("secretNames");
        Assert.Equal(["API_TOKEN"], names.EnumerateArray().Select(n => n.GetString()));
        Assert.DoesNotContain("tok-1", created.Stdout, StringComparison.Ordinal);
    }
}
