using System.Runtime.InteropServices;

namespace Aegis.Sandbox.Bubblewrap;

/// <summary>
/// Host-side mounts of a sandbox: the overlay that gives an instance a writable layer over its release (bwrap 0.8 has
/// no <c>--overlay</c>, so the host mounts it and bwrap binds the result). Every mount lives below the sandbox's runtime
/// directory, and <see cref="UnmountUnder"/> must run before that directory is deleted: a recursive delete would
/// otherwise walk into the overlay and delete the instance's files through it.
/// </summary>
internal static class SandboxMounts
{
    /// <summary>
    /// Mounts at <paramref name="target"/> (created) the release <paramref name="lower"/> (read-only, shared) under the
    /// writable layer in <paramref name="layerDirectory"/> (<c>upper/</c> holds what the instance changed, <c>work/</c> is
    /// overlayfs's scratch; both created).
    /// </summary>
    public static void MountOverlay(string lower, string layerDirectory, string target)
    {
        var upper = Directory.CreateDirectory(Path.Combine(layerDirectory, "upper")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(layerDirectory, "work")).FullName;
        Directory.CreateDirectory(target);
        var options = $"lowerdir={Escape(Path.GetFullPath(lower))},upperdir={Escape(upper)},workdir={Escape(work)}";
        if (NativeMethods.Mount("overlay", target, "overlay", 0, options) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            throw new SandboxException($"Could not mount the release {lower} with the instance layer {layerDirectory}: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})");
        }
    }

    /// <summary>Shows <paramref name="source"/> at <paramref name="target"/> (a bind mount), read-only if asked.</summary>
    public static void Bind(string source, string target, bool readOnly)
    {
        Check(NativeMethods.Mount(source, target, null, NativeMethods.MsBind, null), $"bind {source} to {target}");
        if (readOnly)
        {
            Check(NativeMethods.Mount(null, target, null, NativeMethods.MsBind | NativeMethods.MsRemount | NativeMethods.MsReadOnly, null),
                $"make {target} read-only");
        }
    }

    /// <summary>
    /// Shows <paramref name="source"/> read-only at <paramref name="target"/>, a shared mount point: made read-only in
    /// <paramref name="staging"/> first and then moved, because a later remount (the flag change) would not reach the
    /// copies that propagation already made, which would stay writable.
    /// </summary>
    public static void BindReadOnlyInto(string source, string target, string staging)
    {
        Directory.CreateDirectory(staging);
        Bind(source, staging, readOnly: true);
        Check(NativeMethods.Mount(staging, target, null, NativeMethods.MsMove, null), $"move {staging} to {target}");
        Directory.Delete(staging);
    }

    /// <summary>
    /// Makes the directory <paramref name="directory"/> a mount point of its own in a peer group of its own, so what is
    /// mounted onto it later also appears in the mount namespaces that bound it (a running sandbox: bwrap makes its
    /// mounts slaves, which receive and never send).
    /// </summary>
    public static void MakeSharedMountPoint(string directory)
    {
        Bind(directory, directory, readOnly: false);
        Check(NativeMethods.Mount(null, directory, null, NativeMethods.MsShared, null), $"make {directory} shared");
    }

    private static void Check(int result, string what)
    {
        if (result != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            throw new SandboxException($"Could not {what}: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})");
        }
    }

    /// <summary>Detaches every mount at or below <paramref name="directory"/>, deepest first; returns the mount points.</summary>
    public static IReadOnlyList<string> UnmountUnder(string directory)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var mounted = MountPoints()
            .Where(m => m == root || m.StartsWith(root + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.Length)
            .ToList();
        foreach (var mountPoint in mounted)
        {
            if (NativeMethods.Unmount(mountPoint, NativeMethods.MntDetach) != 0)
            {
                var error = Marshal.GetLastPInvokeError();
                throw new SandboxException($"Could not unmount {mountPoint}: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})");
            }
        }

        return mounted;
    }

    /// <summary>Unmounts what is below <paramref name="directory"/>, then deletes it; never deletes through a mount.</summary>
    public static void DeleteDirectory(string directory)
    {
        UnmountUnder(directory);
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>The mount points of this process's mount namespace (field 5 of /proc/self/mountinfo, octal escapes undone).</summary>
    internal static IEnumerable<string> MountPoints() =>
        File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Select(fields => Unescape(fields[4]));

    /// <summary>overlayfs splits its options at commas and lower layers at colons; a backslash escapes either.</summary>
    private static string Escape(string path) =>
        path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal).Replace(":", "\\:", StringComparison.Ordinal);

    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new System.Text.StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }

    private static bool IsOctal(string text, int start) =>
        start + 3 <= text.Length && text.Substring(start, 3).All(c => c is >= '0' and <= '7');
}
