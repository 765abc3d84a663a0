namespace Aegis.Sandbox.Logging;

/// <summary>
/// An append-only log capped at <c>maxBytes × files</c>: when the current file is full it becomes <c>.1</c>, the
/// old <c>.1</c> becomes <c>.2</c>, and the oldest is dropped, so a chatty sandbox cannot fill the host's disk.
/// Writers from several pumps (stdout, stderr) are serialized.
/// </summary>
internal sealed class RotatingLogFile : IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly long _maxBytes;
    private readonly int _files;
    private FileStream _current;

    public RotatingLogFile(string path, long maxBytes, int files)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(files, 1);
        Path = path;
        _maxBytes = maxBytes;
        _files = files;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        _current = Open();
    }

    public string Path { get; }

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            while (!data.IsEmpty)
            {
                var room = _maxBytes - _current.Length;
                if (room <= 0)
                {
                    await RotateAsync();
                    room = _maxBytes;
                }

                var chunk = data[..(int)Math.Min(room, data.Length)];
                await _current.WriteAsync(chunk, cancellationToken);
                data = data[chunk.Length..];
            }

            // Readers (the logs API, tests) look at the file while the sandbox still runs.
            await _current.FlushAsync(cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Copies a stream into the log until it ends.</summary>
    public async Task PumpAsync(Stream source, CancellationToken cancellationToken = default)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync();
        try
        {
            await _current.DisposeAsync();
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task RotateAsync()
    {
        await _current.DisposeAsync();
        if (_files == 1)
        {
            File.Delete(Path);
        }
        else
        {
            File.Delete($"{Path}.{_files - 1}");
            for (var i = _files - 2; i >= 1; i--)
            {
                if (File.Exists($"{Path}.{i}"))
                {
                    File.Move($"{Path}.{i}", $"{Path}.{i + 1}");
                }
            }

            File.Move(Path, $"{Path}.1");
        }

        _current = Open();
    }

    private FileStream Open() =>
        new(Path, new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete });
}
