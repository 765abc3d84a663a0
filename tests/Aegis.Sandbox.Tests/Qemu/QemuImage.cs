using System.Diagnostics;
using Famiglia.TestKit;

namespace Aegis.Sandbox.Tests.Qemu;

/// <summary>
/// The qemu image (<c>images/qemu/build</c>: kernel, initramfs, root disk from the agent-base rootfs), built once per
/// test run into the repository's <c>.famiglia/images/qemu</c>, where the script's cache makes later runs quick. With
/// <c>FAMIGLIA_QEMU_IMAGE</c> set that directory is used as it is.
/// </summary>
public sealed class QemuImage : IAsyncLifetime
{
    public const string EnvironmentVariable = "FAMIGLIA_QEMU_IMAGE";

    private static readonly Lazy<Task<(string Directory, string AgentBase)>> Built = new(BuildAsync);

    /// <summary>The image directory: image.json, vmlinuz, initramfs.img, rootfs.qcow2.</summary>
    public string Directory { get; private set; } = "";

    /// <summary>The agent-base image whose rootfs the disk holds.</summary>
    public string AgentBaseRoot { get; private set; } = "";

    public async Task InitializeAsync() => (Directory, AgentBaseRoot) = await Built.Value;

    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<(string, string)> BuildAsync()
    {
        var agentBase = new AgentBaseImage();
        await agentBase.InitializeAsync();
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } prebuilt)
        {
            return (prebuilt, agentBase.RootDirectory);
        }

        var directory = RepositoryPaths.Combine(".famiglia", "images", "qemu");
        var log = Path.Combine(Path.GetTempPath(), $"qemu-image-build-{Environment.ProcessId}.log");

        // Output to a file, not a pipe: nothing the script starts can keep this test waiting on a pipe's end.
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in new[] { "-c", "exec \"$0\" --out \"$1\" --agent-base \"$2\" >\"$3\" 2>&1", RepositoryPaths.Combine("images", "qemu", "build"), directory, agentBase.Directory, log })
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The test host inherits MSBuild settings from `dotnet test`; the script's own dotnet publish must not.
        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        using var process = Process.Start(startInfo)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        await process.WaitForExitAsync(timeout.Token);
        var output = await File.ReadAllTextAsync(log);
        File.Delete(log);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"images/qemu/build failed (exit {process.ExitCode}):\n{output}");
        }

        return (directory, agentBase.RootDirectory);
    }
}
