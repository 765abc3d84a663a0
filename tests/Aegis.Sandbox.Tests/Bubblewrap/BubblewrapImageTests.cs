using System.Diagnostics;
using Famiglia.TestKit;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Bubblewrap;

/// <summary>Sandboxes booting the agent-base image instead of the host's userland.</summary>
public sealed partial class BubblewrapImageTests(AgentBaseImage image, ITestOutputHelper output) : SandboxTestBase(output), IClassFixture<AgentBaseImage>
{
    [Fact]
    public async Task A_sandbox_on_an_image_runs_the_images_node_and_dotnet_and_sees_nothing_of_the_hosts_usr()
    {
        const string script = """
            echo "node=$(node --version)"
            echo "node-crypto=$(node -e 'console.log(require("crypto").createHash("sha256").update("aegis").digest("hex"))')"
            echo "debian=$(cat /etc/debian_version)"
            echo "os=$(. /etc/os-release; echo $VERSION_CODENAME)"
            dotnet --list-runtimes
            timeout 30 famiglia-harness >/dev/null 2>&1; echo "harness-exit=$?"
            for f in /usr/bin/bwrap /usr/bin/python3 /usr/share/dotnet; do [ -e "$f" ] && echo "host-visible=$f"; done
            echo "env=$DOTNET_ROOT|$DOTNET_CLI_TELEMETRY_OPTOUT|$LANG"
            echo done
            """;
        var spec = ShellSpec(script) with
        {
            Image = new SandboxImage(image.RootDirectory) { Environment = image.Environment },
            Environment = new Dictionary<string, string> { ["LANG"] = "C" },
        };

        var sandbox = await StartAsync(spec);
        var exit = await ExitedAsync(sandbox);
        var log = ReadLog(sandbox);

        Assert.True(exit.ExitCode == 0, log);
        Assert.Contains($"node=v{ImageNodeVersion()}\n", log);
        if (await HostNodeVersionAsync() is { } hostNode)
        {
            Assert.DoesNotContain($"node={hostNode}\n", log);
        }

        Assert.Contains($"node-crypto={Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("aegis"u8))}\n", log);
        Assert.Contains($"debian={File.ReadAllText(Path.Combine(image.RootDirectory, "etc", "debian_version")).Trim()}\n", log);
        Assert.Contains("os=bookworm\n", log);
        Assert.Matches(@"Microsoft\.NETCore\.App 10\.0\.\d+ \[/usr/lib/dotnet/shared/Microsoft\.NETCore\.App\]", log);
        Assert.Matches(@"Microsoft\.AspNetCore\.App 10\.0\.\d+ \[/usr/lib/dotnet/shared/Microsoft\.AspNetCore\.App\]", log);

        // The harness (a NativeAOT executable) ran and refused to start without its environment: exit code 2.
        var harnessExit = int.Parse(HarnessExit().Match(log).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(2, harnessExit);
        Assert.DoesNotContain("host-visible=", log);

        // The image's defaults reach the process; the spec's own value wins over the image's.
        Assert.Contains("env=/usr/lib/dotnet|1|C\n", log);
        Assert.EndsWith("done\n", log);
    }

    [Fact]
    public async Task An_image_root_without_usr_is_refused_with_an_error_that_says_so()
    {
        var root = Directory.CreateTempSubdirectory("aegis-empty-image-");
        try
        {
            var spec = ShellSpec("true") with { Image = new SandboxImage(root.FullName) };

            var error = await Assert.ThrowsAsync<SandboxException>(() => Backend.StartAsync(spec));

            Assert.Contains(root.FullName, error.Message);
            Assert.Contains("usr/", error.Message);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        BubblewrapTestBackend.Create(stateDirectory, loggerFactory);

    /// <summary>The upstream version of the image's nodejs package, e.g. 18.20.4 of <c>18.20.4+dfsg-1~deb12u2</c>.</summary>
    private string ImageNodeVersion()
    {
        var status = File.ReadAllText(Path.Combine(image.RootDirectory, "var", "lib", "dpkg", "status"));
        return NodeVersion().Match(status).Groups[1].Value;
    }

    /// <summary>The host's own node (this machine's is NodeSource's v20), or null when the host has none.</summary>
    private static async Task<string?> HostNodeVersionAsync()
    {
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
            var version = (await node.StandardOutput.ReadToEndAsync()).Trim();
            await node.WaitForExitAsync();
            return version;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^Package: nodejs\n(?:[^\n]+\n)*?Version: (?:\d+:)?(\d+\.\d+\.\d+)", RegexOptions.Multiline)]
    private static partial Regex NodeVersion();

    [GeneratedRegex(@"harness-exit=(\d+)")]
    private static partial Regex HarnessExit();
}
