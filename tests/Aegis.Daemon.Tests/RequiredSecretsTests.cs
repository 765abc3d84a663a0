using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Aegis.Daemon.Tests;

/// <summary>A kit's <c>secrets.required</c> (not optional): an app cannot be registered, left or booted without them.</summary>
public class RequiredSecretsTests : DaemonTestBase
{
    private static readonly string KeyedKit = MinimalKit.Replace("name: testkit", "name: keyed", StringComparison.Ordinal);

    private static readonly string KeyedKitWithSecrets = KeyedKit + """

        secrets:
          required:
            - name: API_TOKEN
              description: "Token the guest calls home with"
              scope: per_app
              generated: true
            - name: AI_KEY
              scope: per_workspace
              user_provided: true
              optional: true
        """;

    [Fact]
    public async Task An_app_without_a_required_secret_is_refused_and_nothing_is_registered()
    {
        await InstallAsync(KeyedKitWithSecrets);

        using var refused = await Api.PostAsJsonAsync("/v1/apps", new { kit = "keyed", name = "tokenless", config = Config(), secrets = new Dictionary<string, string> { ["AI_KEY"] = "sk-1", ["API_TOKEN"] = "" } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("secrets.API_TOKEN", problem.GetProperty("field").GetString());
        Assert.Contains("API_TOKEN (Token the guest calls home with)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-1", problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("tokenless", await Api.GetStringAsync("/v1/apps"), StringComparison.Ordinal);

        // The optional one may be left out.
        using var created = await Api.PostAsJsonAsync("/v1/apps", new { kit = "keyed", name = "tokened", config = Config(), secrets = new Dictionary<string, string> { ["API_TOKEN"] = "tok-1" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task A_required_secret_can_be_replaced_but_not_removed_or_emptied()
    {
        await InstallAsync(KeyedKitWithSecrets);
        var appId = await CreateAppAsync("kept", ["sh", "-c", "echo \"$API_TOKEN\" > /workspace/seen; sleep 60"], secrets: new() { ["API_TOKEN"] = "tok-old", ["AI_KEY"] = "sk-1" }, healthCheck: "process", kit: "keyed");

        using var removed = await Api.DeleteAsync($"/v1/apps/{appId}/secrets/API_TOKEN");
        Assert.Equal(HttpStatusCode.Conflict, removed.StatusCode);
        Assert.Equal("API_TOKEN", (await removed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        using var emptied = await Api.PutAsJsonAsync($"/v1/apps/{appId}/secrets", new { secrets = new Dictionary<string, string> { ["API_TOKEN"] = "" } });
        Assert.Equal(HttpStatusCode.BadRequest, emptied.StatusCode);
        Assert.Equal("secrets.API_TOKEN", (await emptied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/v1/apps/{appId}/secrets/AI_KEY")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.PutAsJsonAsync($"/v1/apps/{appId}/secrets", new { secrets = new Dictionary<string, string> { ["API_TOKEN"] = "tok-new" } })).StatusCode);

        await EnsureAsync(appId);

        Assert.Equal("tok-new", (await WorkspaceFileAsync(appId, "seen")).Trim());
    }

    [Fact]
    public async Task An_app_registered_before_its_kit_required_a_secret_is_not_booted_until_it_has_it()
    {
        await InstallAsync(KeyedKit);
        var appId = await CreateAppAsync("older", ["sh", "-c", "echo \"$API_TOKEN\" > /workspace/seen; sleep 60"], healthCheck: "process", kit: "keyed");
        await InstallAsync(KeyedKitWithSecrets.Replace("version: 1.0.0", "version: 1.1.0", StringComparison.Ordinal));

        using var ensure = await Api.PostAsJsonAsync("/v1/instances/ensure", new { appId });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, ensure.StatusCode);
        var problem = await ensure.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("secrets.API_TOKEN", problem.GetProperty("field").GetString());
        Assert.Contains($"app {appId} has no value for them", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await GetJsonAsync($"/v1/instances?appId={appId}&all=true")).GetArrayLength());

        // Through the router the wake fails with the same reason.
        using var router = Daemon.CreateClient();
        using var woken = await router.GetAsync($"/agent/{appId}/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, woken.StatusCode);
        Assert.Contains("API_TOKEN", await woken.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        (await Api.PutAsJsonAsync($"/v1/apps/{appId}/secrets", new { secrets = new Dictionary<string, string> { ["API_TOKEN"] = "tok-late" } })).EnsureSuccessStatusCode();
        await EnsureAsync(appId);
        Assert.Equal("tok-late", (await WorkspaceFileAsync(appId, "seen")).Trim());
    }

    private static object Config() => new { command = new[] { "sleep", "60" }, healthCheck = "process" };

    private async Task InstallAsync(string manifest)
    {
        using var installed = await Api.PostAsJsonAsync("/v1/kits", new { manifest });
        Assert.True(installed.IsSuccessStatusCode, await installed.Content.ReadAsStringAsync());
    }
}
