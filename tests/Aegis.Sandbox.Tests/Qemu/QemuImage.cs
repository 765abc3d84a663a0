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
        await BuildScript.RunAsync("images/qemu/build", ["--out", directory, "--agent-base", agentBase.Directory], TimeSpan.FromMinutes(20));
        return (directory, agentBase.RootDirectory);
    }
}
