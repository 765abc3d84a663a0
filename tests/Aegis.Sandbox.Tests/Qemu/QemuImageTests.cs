using System.Text.RegularExpressions;
using Aegis.Sandbox.Qemu;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Qemu;

/// <summary>The qemu disk holds the agent-base image: its Node.js, .NET runtime and NativeAOT harness run in the guest.</summary>
public sealed partial class QemuImageTests(QemuImage image, ITestOutputHelper output) : SandboxTestBase(output), IClassFixture<QemuImage>
{
    [Fact]
    public async Task The_guest_runs_the_images_node_dotnet_and_harness_on_its_own_kernel()
    {
        const string script = """
            echo "node=$(node --version)"
            echo "debian=$(cat /etc/debian_version)"
            echo "kernel=$(uname -r)"
            dotnet --list-runtimes
            timeout 60 famiglia-harness >/dev/null 2>&1; echo "harness-exit=$?"
            echo "env=$DOTNET_ROOT|$LANG|$(id -u)"
            echo done
            """;
        var spec = ShellSpec(script) with
        {
            Image = new SandboxImage(image.AgentBaseRoot) { Environment = new Dictionary<string, string> { ["DOTNET_ROOT"] = "/usr/lib/dotnet", ["LANG"] = "C.UTF-8" } },
            Environment = new Dictionary<string, string> { ["LANG"] = "C" },
        };

        var sandbox = (QemuSandbox)await StartAsync(spec);
        var exit = await ExitedAsync(sandbox);
        var log = ReadLog(sandbox);

        Assert.True(exit.ExitCode == 0, log);
        Assert.Matches(@"node=v18\.\d+\.\d+\n", log);
        Assert.Contains($"debian={File.ReadAllText(Path.Combine(image.AgentBaseRoot, "etc", "debian_version")).Trim()}\n", log);
        Assert.Matches(@"kernel=6\.1\.0-\d+-cloud-amd64\n", log);
        Assert.NotEqual(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), KernelVersion().Match(log).Groups[1].Value);
        Assert.Matches(@"Microsoft\.NETCore\.App 10\.0\.\d+ \[/usr/lib/dotnet/shared/Microsoft\.NETCore\.App\]", log);

        // The harness (NativeAOT) ran and refused to start without its environment: exit code 2, as on bwrap.
        Assert.Contains("harness-exit=2\n", log);
        Assert.Contains("env=/usr/lib/dotnet|C|1000\n", log);
        Assert.EndsWith("done\n", log);
    }

    [Fact]
    public async Task The_release_is_a_read_only_disk_at_agent_shared_by_its_instances()
    {
        var release = Directory.CreateDirectory(Path.Combine(NewWorkspace(), "release-1"));
        await File.WriteAllTextAsync(Path.Combine(release.FullName, "index.js"), "console.log('agent code')");
        SandboxSpec Spec() => ShellSpec("cat /agent/index.js; echo; touch /agent/new 2>/dev/null && echo WRITABLE || echo read-only; grep ' /agent ' /proc/mounts") with
        {
            ReleaseDirectory = release.FullName,
        };

        var first = await StartAsync(Spec());
        var second = await StartAsync(Spec());
        await ExitedAsync(first);
        await ExitedAsync(second);

        foreach (var sandbox in new[] { first, second })
        {
            var log = ReadLog(sandbox);
            Assert.Contains("console.log('agent code')", log);
            Assert.Contains("read-only", log);
            Assert.DoesNotContain("WRITABLE", log);
            Assert.Matches(@" /agent ext4 ro[, ]", log);
        }

        Assert.False(File.Exists(Path.Combine(release.FullName, "new")));
    }

    [Fact]
    public async Task An_image_the_disk_was_not_built_from_is_refused_with_an_error_that_says_so()
    {
        var root = Directory.CreateTempSubdirectory("aegis-other-image-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "usr"));
            var spec = ShellSpec("true") with { Image = new SandboxImage(root.FullName) };

            var error = await Assert.ThrowsAsync<SandboxException>(() => Backend.StartAsync(spec));

            Assert.Contains(root.FullName, error.Message);
            Assert.Contains("images/qemu/build", error.Message);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        QemuTestBackend.Create(image, stateDirectory, loggerFactory);

    [GeneratedRegex(@"kernel=(\S+)")]
    private static partial Regex KernelVersion();
}
