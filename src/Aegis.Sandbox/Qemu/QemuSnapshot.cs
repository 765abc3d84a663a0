using System.Text.Json;

namespace Aegis.Sandbox.Qemu;

/// <summary>
/// A memory snapshot on disk (the "instance" tier): <c>memory</c> (QEMU's migration stream), the instance layer
/// <c>instance.qcow2</c>, the share disks and <c>machine.json</c>, the device model a restore must rebuild. The
/// read-only base disk is not copied: the instance layer names it as its backing file, so it must stay where it is.
/// </summary>
public sealed record QemuSnapshot
{
    private QemuSnapshot(string directory, QemuMachine machine)
    {
        Directory = directory;
        Machine = machine;
    }

    public string Directory { get; }

    /// <summary>Size of the memory stream: RAM the guest touched, zero pages compressed away.</summary>
    public long MemoryBytes => new FileInfo(Memory).Length;

    /// <summary>Everything the snapshot takes on disk (the share disks are sparse: their allocated blocks).</summary>
    public long TotalBytes => new DirectoryInfo(Directory).EnumerateFiles().Sum(f => QemuHost.AllocatedBytes(f.FullName));

    internal QemuMachine Machine { get; }

    internal string Memory => Path.Combine(Directory, "memory");

    internal string Overlay => Path.Combine(Directory, "instance.qcow2");

    internal string Share(int index) => Path.Combine(Directory, $"share{index}.img");

    /// <summary>Opens a snapshot written by <see cref="QemuSandbox.SnapshotAsync"/>.</summary>
    public static QemuSnapshot Load(string directory)
    {
        var file = Path.Combine(directory, "machine.json");
        if (!File.Exists(file))
        {
            throw new SandboxException($"{directory} holds no qemu snapshot (no machine.json)");
        }

        try
        {
            var machine = JsonSerializer.Deserialize(File.ReadAllText(file), QemuJson.Default.QemuMachine)
                ?? throw new SandboxException($"{file} is empty");
            return new QemuSnapshot(directory, machine);
        }
        catch (JsonException exception)
        {
            throw new SandboxException($"{file} is not a qemu machine description: {exception.Message}", exception);
        }
    }

    internal static QemuSnapshot Create(string directory, QemuMachine machine)
    {
        File.WriteAllText(Path.Combine(directory, "machine.json"), JsonSerializer.Serialize(machine, QemuJson.Default.QemuMachine));
        return new QemuSnapshot(directory, machine);
    }
}
