using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Aegis.Sandbox.Bubblewrap;

/// <summary>
/// The host side of a prepared sandbox, in its runtime directory: <c>mnt/workspace</c>, <c>mnt/canvas</c> and
/// <c>mnt/agent</c>, each a shared mount point that bwrap binds at <c>/workspace</c>, <c>/canvas</c> and <c>/agent</c>
/// (so the app's directories, mounted onto them at claim, appear inside the running sandbox), and <c>pool/start</c>, a
/// FIFO the placeholder shell sources: the claim writes the start script into it (environment and command), so secrets
/// never touch a disk or a command line.
/// </summary>
internal sealed partial class PreparedSlot
{
    /// <summary>Where the sandbox sees <see cref="PoolDirectory"/>.</summary>
    public const string GuestDirectory = "/run/aegis-pool";

    /// <summary>The placeholder: blocks opening the FIFO until the claim writes to it, then runs what it says.</summary>
    public const string PlaceholderScript = ". " + GuestDirectory + "/start";

    private PreparedSlot(string runtimeDirectory)
    {
        var mounts = Path.Combine(runtimeDirectory, "mnt");
        Workspace = Path.Combine(mounts, "workspace");
        Canvas = Path.Combine(mounts, "canvas");
        Agent = Path.Combine(mounts, "agent");
        Staging = Path.Combine(runtimeDirectory, "staging");
        PoolDirectory = Path.Combine(runtimeDirectory, "pool");
        Fifo = Path.Combine(PoolDirectory, "start");
    }

    public string Workspace { get; }

    public string Canvas { get; }

    public string Agent { get; }

    /// <summary>Where a read-only mount is made before it is moved onto a mount point (not bound into the sandbox).</summary>
    public string Staging { get; }

    public string PoolDirectory { get; }

    public string Fifo { get; }

    /// <summary>Creates the mount points and the FIFO; on failure nothing of them is left.</summary>
    public static PreparedSlot Create(string runtimeDirectory)
    {
        var slot = new PreparedSlot(runtimeDirectory);
        try
        {
            foreach (var directory in new[] { slot.Workspace, slot.Canvas, slot.Agent })
            {
                Directory.CreateDirectory(directory);
                SandboxMounts.MakeSharedMountPoint(directory);
            }

            Directory.CreateDirectory(slot.PoolDirectory);
            if (NativeMethods.MakeFifo(slot.Fifo, Convert.ToUInt32("600", 8)) != 0)
            {
                var error = Marshal.GetLastPInvokeError();
                throw new SandboxException($"Could not create {slot.Fifo}: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})");
            }

            return slot;
        }
        catch
        {
            SandboxMounts.DeleteDirectory(runtimeDirectory);
            throw;
        }
    }

    /// <summary>
    /// The start script for <paramref name="spec"/>: into <c>/workspace</c> (now the app's), its environment over the
    /// image's (already the placeholder's), then <c>exec</c> of its command, so the command is the sandbox's main process.
    /// </summary>
    /// <exception cref="ArgumentException">A variable name a shell cannot export.</exception>
    public static byte[] StartScript(SandboxSpec spec)
    {
        var script = new StringBuilder("cd /workspace || exit 126\n");
        foreach (var (name, value) in spec.Environment)
        {
            if (!ShellName().IsMatch(name))
            {
                throw new ArgumentException($"Environment variable '{name}' cannot be set in a prepared sandbox (letters, digits and '_' only)", nameof(spec));
            }

            script.Append("export ").Append(name).Append('=').Append(Quote(value)).Append('\n');
        }

        script.Append("exec ").Append(Quote(spec.Command));
        foreach (var argument in spec.Arguments)
        {
            script.Append(' ').Append(Quote(argument));
        }

        return Encoding.UTF8.GetBytes(script.Append('\n').ToString());
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ShellName();
}
