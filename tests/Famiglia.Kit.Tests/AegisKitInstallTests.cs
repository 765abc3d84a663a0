using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Famiglia.TestKit;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Kit.Tests;

/// <summary>
/// The whole path: the kit <c>write-kit</c> wrote, installed with the real <c>aegis kit install DIR</c> into a real
/// aegisd, which stores the hooks as one file in its data directory and runs them when apps are registered and
/// releases published, against the real famiglia-web.
/// </summary>
[Collection(KitWorldCollection.Name)]
public sealed class AegisKitInstallTests(KitWorld world)
{
    [Fact]
    public async Task Aegisd_runs_the_installed_kits_hooks_when_apps_are_registered_and_published()
    {
        using var data = TempDirectory.Create("kit-aegisd");
        await using var aegisd = await AegisDaemonProcess.StartAsync(data.Path);
        using var api = aegisd.CreateClient();

        var (exitCode, output, error) = await ServiceProcess.RunToEndAsync(
            ServiceProcess.BuiltDll("Aegis.Cli", "aegis"), "--url", aegisd.BaseAddress.ToString(), "--token-file", data.Combine("token"),
            "kit", "install", world.Directory.Combine("kit"));
        Assert.True(exitCode == 0, error);
        Assert.Contains("installed kit famiglia 1.0.0 with hooks", output);

        // validate_config: a name the group already has is refused with the kit's own words.
        await world.Web.IssueApiKeyAsync("Aegis Twin");
        using var duplicate = await api.PostAsJsonAsync("/v1/apps", new { kit = "famiglia", name = "twin", config = world.Config("Aegis Twin", "s-aegis-twin-2"), secrets = KitSecrets("s-aegis-twin-2") });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, duplicate.StatusCode);
        Assert.Contains("name 'Aegis Twin' is already the name of another agent in this group", await duplicate.Content.ReadAsStringAsync());

        // A fresh agent is registered; famiglia-web then links its AgentConfig to the app.
        await world.Web.IssueApiKeyAsync("Aegis Fresh");
        using var created = await api.PostAsJsonAsync("/v1/apps", new { kit = "famiglia", name = "fresh", config = world.Config("Aegis Fresh", "s-aegis-fresh"), secrets = KitSecrets("s-aegis-fresh") });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body.ToString());
        var appId = body.GetProperty("appId").GetString()!;
        var before = await LinkAsync("Aegis Fresh", appId);

        // on_publish: famiglia-web records the release.
        using var published = await api.PostAsync($"/v1/apps/{appId}/releases", Release());
        Assert.True(published.StatusCode == HttpStatusCode.Created, await published.Content.ReadAsStringAsync());
        await using var db = world.Db();
        Assert.True(await db.AgentConfigs.Where(a => a.AegisAppId == appId).Select(a => a.UpdatedAt).SingleAsync() > before);

        // An app famiglia-web has no agent for: on_publish fails and aegisd says the kit hook failed.
        using var stranger = await api.PostAsJsonAsync("/v1/apps", new { kit = "famiglia", name = "stranger", config = world.Config("Aegis Stranger", "s-aegis-stranger"), secrets = KitSecrets("s-aegis-stranger") });
        var strangerId = (await stranger.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("appId").GetString()!;
        using var refused = await api.PostAsync($"/v1/apps/{strangerId}/releases", Release());
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Contains($"has no agent for Aegis app '{strangerId}'", await refused.Content.ReadAsStringAsync());
    }

    /// <summary>The secrets the kit requires of every app (famiglia-web generates them; values do not matter here).</summary>
    private static Dictionary<string, string> KitSecrets(string user) =>
        new() { ["FAMIGLIA_API_KEY"] = "fam_test", ["XMPP_USER"] = user, ["XMPP_PASSWORD"] = "not-used" };

    private async Task<DateTime> LinkAsync(string agent, string appId)
    {
        await using var db = world.Db();
        var config = await db.AgentConfigs.SingleAsync(a => a.Name == agent);
        config.AegisAppId = appId;
        config.UpdatedAt = DateTime.UtcNow.AddMinutes(-5);
        await db.SaveChangesAsync();
        return config.UpdatedAt;
    }

    private static ByteArrayContent Release()
    {
        using var archive = new MemoryStream();
        using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "index.html")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes("<h1>gallery</h1>")),
            };
            tar.WriteEntry(entry);
        }

        return new ByteArrayContent(archive.ToArray()) { Headers = { ContentType = new("application/gzip") } };
    }
}
