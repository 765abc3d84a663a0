using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Aegis.Daemon.Tests;

public class ApiTests : DaemonTestBase
{
    [Fact]
    public async Task The_management_api_needs_the_token_and_health_does_not()
    {
        using var anonymous = Daemon.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        var refused = await anonymous.GetAsync("/v1/apps");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("Bearer", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "aegis_wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/apps")).StatusCode);

        var mode = File.GetUnixFileMode(Path.Combine(Daemon.DataDirectory, "token"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public async Task The_famiglia_manifest_installs_and_a_malformed_one_is_a_problem_naming_the_key()
    {
        var famiglia = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "famiglia-aegis-kit.yaml"));
        var installed = await Api.PostAsJsonAsync("/v1/kits", new { manifest = famiglia });
        Assert.Equal(HttpStatusCode.Created, installed.StatusCode);

        var kit = await GetJsonAsync("/v1/kits/famiglia");
        Assert.Equal("1.0.0", kit.GetProperty("version").GetString());
        Assert.Equal(536870912, kit.GetProperty("manifest").GetProperty("resources").GetProperty("memory").GetInt64());

        var broken = await Api.PostAsJsonAsync("/v1/kits", new { manifest = famiglia.Replace("memory: 512mb", "memory: 512mbb", StringComparison.Ordinal) });
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType?.MediaType);
        var problem = await broken.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("resources.memory", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("manifest", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Secrets_are_write_only_and_encrypted_at_rest()
    {
        const string secret = "sk-very-secret-value-123";
        var appId = await CreateAppAsync("secretive", ["sleep", "60"], secrets: new() { ["ANTHROPIC_API_KEY"] = secret }, healthCheck: "process");

        var app = await Api.GetStringAsync($"/v1/apps/{appId}");
        Assert.DoesNotContain(secret, app, StringComparison.Ordinal);
        Assert.Contains("ANTHROPIC_API_KEY", app, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await Api.GetStringAsync("/v1/apps"), StringComparison.Ordinal);
        var events = await ReadEventsAsync(until: "app.created");
        Assert.Contains("app.created", events, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, events, StringComparison.Ordinal);

        foreach (var file in Directory.EnumerateFiles(Daemon.DataDirectory, "registry.db*"))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.DoesNotContain(secret, System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Secrets_are_rotated_added_and_removed_and_the_next_boot_has_exactly_the_result()
    {
        var appId = await CreateAppAsync("rotating", ["sh", "-c", "echo \"${KEEP_ME:-unset}|${DROP_ME:-unset}|${ADDED:-unset}\" > /workspace/seen; sleep 60"],
            secrets: new() { ["KEEP_ME"] = "old-value", ["DROP_ME"] = "dropped-value" }, healthCheck: "process");

        using var set = await Api.PutAsJsonAsync($"/v1/apps/{appId}/secrets", new { secrets = new Dictionary<string, string> { ["KEEP_ME"] = "kept-value", ["ADDED"] = "added-value" } });
        Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        using var badName = await Api.PutAsJsonAsync($"/v1/apps/{appId}/secrets", new { secrets = new Dictionary<string, string> { ["NOT A NAME"] = "v" } });
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Equal("secrets.NOT A NAME", (await badName.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        using var noSecrets = await Api.PutAsJsonAsync($"/v1/apps/{appId}/secrets", new { });
        Assert.Equal(HttpStatusCode.BadRequest, noSecrets.StatusCode);
        Assert.Equal("secrets", (await noSecrets.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());

        using var removed = await Api.DeleteAsync($"/v1/apps/{appId}/secrets/DROP_ME");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        var names = (await Api.GetFromJsonAsync<JsonElement>($"/v1/apps/{appId}")).GetProperty("secretNames").EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.Equal(["ADDED", "KEEP_ME"], names);

        using var again = await Api.DeleteAsync($"/v1/apps/{appId}/secrets/DROP_ME");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains("DROP_ME", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var noApp = await Api.DeleteAsync("/v1/apps/no-such-app/secrets/KEEP_ME");
        Assert.Equal(HttpStatusCode.NotFound, noApp.StatusCode);

        await EnsureAsync(appId);
        Assert.Equal("kept-value|unset|added-value", (await WorkspaceFileAsync(appId, "seen")).Trim());
    }

    [Fact]
    public async Task Bad_input_gets_a_problem_with_the_offending_field()
    {
        var noCommand = await Api.PostAsJsonAsync("/v1/apps", new { kit = "testkit", name = "x", config = new { } });
        Assert.Equal(HttpStatusCode.Created, noCommand.StatusCode); // the command is checked when it is needed
        var appId = (await noCommand.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("appId").GetString();
        var ensure = await Api.PostAsJsonAsync("/v1/instances/ensure", new { appId });
        Assert.Equal(HttpStatusCode.BadRequest, ensure.StatusCode);
        Assert.Equal("config.command", (await ensure.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());

        var unknownKit = await Api.PostAsJsonAsync("/v1/apps", new { kit = "nope", name = "x" });
        Assert.Equal(HttpStatusCode.NotFound, unknownKit.StatusCode);

        var badSecret = await Api.PostAsJsonAsync("/v1/apps", new { kit = "testkit", name = "x", secrets = new Dictionary<string, string> { ["1BAD NAME"] = "v" } });
        Assert.Equal(HttpStatusCode.BadRequest, badSecret.StatusCode);
        Assert.Equal("secrets.1BAD NAME", (await badSecret.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync("/v1/instances/inst_missing")).StatusCode);

        var malformed = await Api.PostAsync("/v1/apps", new StringContent("{\"kit\": \"testkit\", \"name\": 5", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        var problem = await malformed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("$.name", problem.GetProperty("field").GetString());
        Assert.Contains("JSON", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Max_agents_per_group_is_enforced_with_a_clear_error()
    {
        await CreateAppAsync("one", ["sleep", "1"], group: "feldmans");
        await CreateAppAsync("two", ["sleep", "1"], group: "feldmans");

        var third = await Api.PostAsJsonAsync("/v1/apps", new { kit = "testkit", name = "three", config = new { command = new[] { "sleep" }, group = "feldmans" } });

        Assert.Equal(HttpStatusCode.Conflict, third.StatusCode);
        var problem = await third.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("max_agents_per_group", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("config.group", problem.GetProperty("field").GetString());
        await CreateAppAsync("elsewhere", ["sleep", "1"], group: "other"); // another group is fine
    }

    [Fact]
    public async Task A_task_streams_its_output_and_returns_the_exit_code()
    {
        var response = await Api.PostAsJsonAsync("/v1/tasks", new { command = new[] { "sh", "-c", "echo hello from the sandbox; exit 3" } });
        response.EnsureSuccessStatusCode();
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Contains("hello from the sandbox", string.Concat(lines.Where(l => l.TryGetProperty("output", out _)).Select(l => l.GetProperty("output").GetString())), StringComparison.Ordinal);
        Assert.Equal(3, lines[^1].GetProperty("exitCode").GetInt32());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Daemon.DataDirectory, "tasks")));
    }
}
