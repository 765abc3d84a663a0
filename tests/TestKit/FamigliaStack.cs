using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Famiglia.TestKit;

/// <summary>
/// The whole product as <c>./famiglia up</c> runs it, on free ports in temp dirs: ejabberd (fixture), aegisd (real
/// process, bwrap sandboxes booting the agent-base image), the Famiglia kit installed into it, and famiglia-web (real
/// process, seeded, with chat and agents on).
/// </summary>
public sealed class FamigliaStack : IAsyncLifetime
{
    private readonly TempDirectory _dir = TempDirectory.Create("famiglia-stack-");
    private readonly AgentBaseImage _image = new();

    public EjabberdFixture Ejabberd { get; } = new();

    /// <summary>The agent-base image the sandboxes boot; its rootfs holds the built templates.</summary>
    public AgentBaseImage Image => _image;

    /// <summary>More aegisd settings (<c>--Aegis:WarmPool:famiglia=0</c>), after the stack's own, which they override.</summary>
    public IReadOnlyList<string> AegisSettings { get; init; } = [];

    public AegisDaemonProcess Aegis { get; private set; } = null!;

    public FamigliaWebProcess Web { get; private set; } = null!;

    /// <summary>Where browsers open famiglia-web (<c>127.0.0.1</c>) — a different origin from the router's.</summary>
    public Uri WebUrl => Web.BaseAddress;

    /// <summary>aegisd's router as browsers reach it (<c>localhost</c>, so another origin than famiglia-web).</summary>
    public Uri RouterUrl => new($"http://localhost:{Aegis.Port}");

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Ejabberd.InitializeAsync(), _image.InitializeAsync());
        var webPort = FreePort.Next();
        var aegisPort = FreePort.Next();
        var aegisDir = _dir.Combine("aegis");
        var webOrigin = $"http://127.0.0.1:{webPort}";

        // famiglia-web first (it follows aegisd's events and retries until aegisd is up), so that its data directory,
        // where the kit token lives, is known when the kit is written.
        Web = await FamigliaWebProcess.StartSeededAsync(webPort,
        [
            "--Famiglia:ChatEnabled=true",
            $"--Famiglia:XmppDomain={Ejabberd.Host}",
            $"--Famiglia:XmppService=ws://127.0.0.1:{Ejabberd.HttpPort}/ws",
            $"--Famiglia:EjabberdAdminUrl={Ejabberd.AdminApiUri}",
            "--Famiglia:Aegis:Enabled=true",
            $"--Famiglia:Aegis:Url=http://127.0.0.1:{aegisPort}",
            $"--Famiglia:Aegis:TokenFile={Path.Combine(aegisDir, "token")}",
            $"--Famiglia:Aegis:PublicUrl=http://localhost:{aegisPort}",
            // What famiglia-web did with each agent (created, moved to a release, deleted), for the tests to read.
            "--Logging:LogLevel:Famiglia.Web.Agents.AgentLifecycle=Information",
            "--Logging:LogLevel:Famiglia.Web.Agents.AgentWaker=Information",
        ]);
        Aegis = await AegisDaemonProcess.StartAsync(aegisDir, aegisPort, settings:
        [
            "--Aegis:Images:0:Reference=ghcr.io/famiglia/agent-base:latest",
            $"--Aegis:Images:0:Path={_image.Directory}",
            $"--Aegis:InternalHostPorts:ejabberd:5222={Ejabberd.C2SPort}",
            $"--Aegis:InternalHostPorts:ejabberd:5280={Ejabberd.HttpPort}",
            $"--Aegis:InternalHostPorts:famiglia-web:3000={webPort}",
            $"--Aegis:Router:FrameAncestors={webOrigin}",
            "--Aegis:WarmPool:famiglia=1", // as ./famiglia up runs it
            .. AegisSettings,
        ]);
        await InstallKitAsync(webPort);
    }

    public async Task DisposeAsync()
    {
        if (Web is not null)
        {
            await Web.DisposeAsync();
        }

        if (Aegis is not null)
        {
            await Aegis.DisposeAsync();
        }

        await Ejabberd.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>Writes the kit with <c>famiglia-kit-hooks write-kit</c> (settings as the famiglia script writes them) and
    /// installs it through aegisd's API.</summary>
    private async Task InstallKitAsync(int webPort)
    {
        var settings = _dir.Combine("famiglia-kit.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["xmppHost"] = Ejabberd.Host,
            ["xmppService"] = "ws://ejabberd:5280/ws",
            ["apiUrl"] = "http://famiglia-web:3000",
            ["famigliaWebUrl"] = $"http://127.0.0.1:{webPort}",
            ["kitTokenFile"] = Path.Combine(Web.DataDirectory, "kit-token"),
            ["templates"] = new Dictionary<string, string>
            {
                ["echo"] = "/opt/famiglia/templates/echo/echo-agent",
                ["photo-library"] = "/opt/famiglia/templates/photo-library/photo-library-agent",
                ["photo-library-ts"] = "node /opt/famiglia/templates/photo-library-ts/dist/index.js",
                ["react-dashboard"] = "node /opt/famiglia/templates/react-dashboard/dist/index.js",
            },
        }));
        var kit = _dir.Combine("kit");
        // The native hooks, as ./famiglia up installs them: the wrapper then runs that executable for every hook.
        var (exitCode, _, error) = await ServiceProcess.RunProgramToEndAsync(await NativeKitHooks.ExecutableAsync(),
            "write-kit", "--settings", settings, "--out", kit);
        Assert.True(exitCode == 0, $"write-kit failed ({exitCode}): {error}");
        using var client = Aegis.CreateClient();
        using var response = await client.PostAsJsonAsync("/v1/kits", new
        {
            manifest = await File.ReadAllTextAsync(Path.Combine(kit, "aegis-kit.yaml")),
            hooksBase64 = Convert.ToBase64String(await File.ReadAllBytesAsync(Path.Combine(kit, "hooks"))),
        });
        Assert.True(response.IsSuccessStatusCode, $"kit install failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
