using System.Text;

namespace Famiglia.Harness;

/// <summary>
/// The canvas directory: the only place agent requests can write, so every path is checked here. Writes are atomic
/// (temporary file, then rename). The version counter starts at 1 and only grows; bumps reach subscribers at once.
/// What the agent changes bumps the version by itself once its writes settle, unless the agent bumps it first: an
/// agent that only writes (as spec §8.1's example does) still reloads the open tabs.
/// </summary>
internal sealed class CanvasStore
{
    /// <summary>How long after the agent's last write or delete the version is bumped for it.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(300);

    private readonly string _root;
    private readonly Lock _gate = new();
    private readonly List<Action<long>> _subscribers = [];
    private readonly ITimer _settled;
    private readonly TimeSpan _settleTime;
    private long _version = 1;
    private bool _changed;

    public CanvasStore(string root, TimeProvider? time = null, TimeSpan? settleTime = null)
    {
        var full = Path.GetFullPath(Directory.CreateDirectory(root).FullName);
        _root = RealPath(full) ?? full;
        _settleTime = settleTime ?? SettleTime;
        _settled = (time ?? TimeProvider.System).CreateTimer(_ => BumpIfChanged(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Root => _root;

    public long Version => Interlocked.Read(ref _version);

    /// <summary>The agent wrote or deleted a file: the version is bumped once its changes settle, unless it bumps first.</summary>
    public void Changed()
    {
        lock (_gate)
        {
            _changed = true;
            _settled.Change(_settleTime, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Bumps the version and tells every subscriber.</summary>
    public long BumpVersion()
    {
        var version = Interlocked.Increment(ref _version);
        Action<long>[] subscribers;
        lock (_gate)
        {
            _changed = false;
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber(version);
        }

        return version;
    }

    private void BumpIfChanged()
    {
        lock (_gate)
        {
            if (!_changed)
            {
                return;
            }
        }

        BumpVersion();
    }

    /// <summary>Calls <paramref name="onBump"/> with the new version after every bump until disposed.</summary>
    public IDisposable Subscribe(Action<long> onBump)
    {
        lock (_gate)
        {
            _subscribers.Add(onBump);
        }

        return new Subscription(() =>
        {
            lock (_gate)
            {
                _subscribers.Remove(onBump);
            }
        });
    }

    /// <summary>Writes a file, creating its directories. Returns the full path.</summary>
    public async Task<string> WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var full = AgentPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        RefuseLinkEscape(full);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await File.WriteAllBytesAsync(temporary, content, cancellationToken);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return full;
    }

    /// <summary>The bytes of a canvas file.</summary>
    /// <exception cref="CanvasPathException">The path is refused or the file does not exist.</exception>
    public async Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var full = AgentPath(path);
        RefuseLinkEscape(full);
        if (!File.Exists(full))
        {
            throw new CanvasPathException($"'{path}' does not exist in the canvas");
        }

        return await File.ReadAllBytesAsync(full, cancellationToken);
    }

    /// <summary>Deletes a file; false when it did not exist.</summary>
    public bool Delete(string path)
    {
        var full = AgentPath(path);
        RefuseLinkEscape(full);
        if (!File.Exists(full))
        {
            return false;
        }

        File.Delete(full);
        return true;
    }

    /// <summary>
    /// The file a browser request path names, or null when there is none or the path leaves the canvas (also through
    /// a symbolic link). A directory maps to its <c>index.html</c>.
    /// </summary>
    public string? ResolveForServing(string requestPath)
    {
        var relative = requestPath.TrimStart('/');
        if (relative.Contains('\\', StringComparison.Ordinal) || relative.Contains('\0', StringComparison.Ordinal)
            || relative.Split('/').Any(segment => segment is ".." || segment.StartsWith('.')))
        {
            return null;
        }

        var full = Path.GetFullPath(Path.Combine(_root, relative));
        if (!IsInside(full))
        {
            return null;
        }

        if (Directory.Exists(full))
        {
            full = Path.Combine(full, "index.html");
        }

        if (!File.Exists(full))
        {
            return null;
        }

        var real = RealPath(full);
        return real is not null && IsInside(real) ? full : null;
    }

    private string AgentPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CanvasPathException("the path is empty");
        }

        if (path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal) || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new CanvasPathException($"'{Printable(path)}' is not a relative path with '/' separators");
        }

        var segments = path.Split('/');
        if (segments.Any(s => s is "" or "." or ".."))
        {
            throw new CanvasPathException($"'{Printable(path)}' has an empty, '.' or '..' segment");
        }

        if (segments[0].StartsWith('_'))
        {
            throw new CanvasPathException($"'{Printable(path)}': names starting with '_' at the top are reserved for the harness (_canvas, _media)");
        }

        var full = Path.GetFullPath(Path.Combine(_root, path));
        if (!IsInside(full))
        {
            throw new CanvasPathException($"'{Printable(path)}' leaves the canvas");
        }

        return full;
    }

    /// <summary>Refuses a path whose existing parts resolve (through links) outside the canvas.</summary>
    private void RefuseLinkEscape(string full)
    {
        var existing = full;
        while (!File.Exists(existing) && !Directory.Exists(existing) && existing.Length > _root.Length)
        {
            existing = Path.GetDirectoryName(existing)!;
        }

        var real = RealPath(existing);
        if (real is null || !IsInside(real))
        {
            throw new CanvasPathException("the path leaves the canvas through a symbolic link");
        }
    }

    private bool IsInside(string full) =>
        full == _root || full.StartsWith(_root.EndsWith('/') ? _root : _root + "/", StringComparison.Ordinal);

    /// <summary>The path with every symbolic link resolved (realpath(3)), or null when it cannot be resolved.</summary>
    private static string? RealPath(string path)
    {
        var resolved = NativeMethods.RealPath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return System.Runtime.InteropServices.Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            NativeMethods.Free(resolved);
        }
    }

    private static string Printable(string path) =>
        path.Length > 200 ? path[..200] + "…" : new StringBuilder(path).Replace('\0', '?').ToString();

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}

internal static partial class NativeMethods
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    internal static partial IntPtr RealPath(string path, IntPtr resolved);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    internal static partial int Kill(int pid, int signal);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "free")]
    internal static partial void Free(IntPtr pointer);
}

/// <summary>A canvas path the harness refuses, or a file that is not there.</summary>
internal sealed class CanvasPathException(string message) : Exception(message);
