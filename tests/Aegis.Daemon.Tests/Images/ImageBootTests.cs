using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Famiglia.TestKit;

namespace Aegis.Daemon.Tests.Images;

/// <summary>
/// Kits whose <c>image.base</c> is configured in <c>Aegis:Images</c>: a test image (the agent-base rootfs with an
/// image.json of its own, whose entrypoint reports what it sees) and one configured at a directory holding nothing.
/// </summary>
public sealed class ImageBootTests(AgentBaseImage agentBase) : DaemonTestBase, IClassFixture<AgentBaseImage>
{
    private const string TestImage = "test/reporter";
    private const string MissingImage = "test/missing:2";

    private readonly TempDirectory _images = TempDirectory.Create("images");

    public override async Task InitializeAsync()
    {
        var image = Directory.CreateDirectory(_images.Combine("reporter"));
        File.CreateSymbolicLink(Path.Combine(image.FullName, "rootfs"), agentBase.RootDirectory);
        await File.WriteAllTextAsync(Path.Combine(image.FullName, "image.json"), JsonSerializer.Serialize(new
        {
            name = TestImage,
            tag = "latest",
            entrypoint = new[] { "/bin/sh", "-c", "echo \"$GREETING|$(cat /etc/debian_version)|$(node --version)\" > /workspace/seen; exec sleep 60" },
            env = new Dictionary<string, string> { ["GREETING"] = "from-image" },
        }));

        await base.InitializeAsync();
        await InstallKitAsync("imagekit", TestImage + ":latest");
        await InstallKitAsync("brokenkit", MissingImage);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _images.Dispose();
    }

    [Fact]
    public async Task An_app_without_a_command_boots_the_kits_image_and_runs_its_entrypoint_with_its_env()
    {
        var appId = await CreateAppWithoutCommandAsync("imagekit");

        var instance = await EnsureAsync(appId);

        Assert.Equal("running", instance.GetProperty("state").GetString());
        var seen = Path.Combine(Daemon.DataDirectory, "apps", appId, "volume", "workspace", "seen");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(seen) || !(await File.ReadAllTextAsync(seen)).EndsWith('\n'))
        {
            Assert.True(DateTime.UtcNow < deadline, "the image's entrypoint never wrote what it sees");
            await Task.Delay(50);
        }

        var debian = (await File.ReadAllTextAsync(Path.Combine(agentBase.RootDirectory, "etc", "debian_version"))).Trim();
        Assert.Matches($@"^from-image\|{System.Text.RegularExpressions.Regex.Escape(debian)}\|v18\.", await File.ReadAllTextAsync(seen));
    }

    [Fact]
    public async Task A_kit_whose_configured_image_directory_holds_nothing_fails_to_boot_and_says_why()
    {
        var appId = await CreateAppWithoutCommandAsync("brokenkit");

        var ensure = await Api.PostAsJsonAsync("/v1/instances/ensure", new { appId });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ensure.StatusCode);
        var detail = (await ensure.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains($"image {MissingImage} is configured at {_images.Combine("missing")}, which holds no built image", detail, StringComparison.Ordinal);
        var instances = await GetJsonAsync($"/v1/instances?appId={appId}&all=true");
        Assert.Equal("error", instances[0].GetProperty("state").GetString());
    }

    protected override AegisDaemonFactory CreateDaemon() => new(settings: new Dictionary<string, string>
    {
        ["Aegis:Images:0:Reference"] = TestImage,
        ["Aegis:Images:0:Path"] = _images.Combine("reporter"),
        ["Aegis:Images:1:Reference"] = MissingImage,
        ["Aegis:Images:1:Path"] = _images.Combine("missing"),
    });

    private async Task InstallKitAsync(string name, string image)
    {
        var manifest = MinimalKit.Replace("name: testkit", $"name: {name}", StringComparison.Ordinal)
            .Replace("base: aegis/base:latest", $"base: {image}", StringComparison.Ordinal);
        (await Api.PostAsJsonAsync("/v1/kits", new { manifest })).EnsureSuccessStatusCode();
    }

    private async Task<string> CreateAppWithoutCommandAsync(string kit)
    {
        var response = await Api.PostAsJsonAsync("/v1/apps", new { kit, name = "imaged", config = new { healthCheck = "process" } });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("appId").GetString()!;
    }
}
