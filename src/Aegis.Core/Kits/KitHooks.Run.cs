using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Aegis.Core.Kits;

public sealed partial class KitHooks
{
    private const int StderrTailLines = 5;
    private const int MaxStderrLineChars = 500;

    // Only what a script needs to find its tools; aegisd's own environment may hold its credentials.
    private static readonly string[] InheritedVariables = ["PATH", "HOME", "LANG", "TMPDIR"];

    // After a kill, how long to wait for the pipes to close so the stderr tail is complete.
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    private async Task<T> RunAsync<T>(string hook, byte[] request, SecretRedactor redactor, Func<JsonElement, T> interpret, CancellationToken cancellationToken)
    {
        try
        {
            return await RunProcessAsync(hook, request, redactor, interpret, cancellationToken);
        }
        catch (KitHookException e)
        {
            Log.Failed(_logger, hook, e.Executable, e.Failure);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(request);
        }
    }

    private async Task<T> RunProcessAsync<T>(string hook, byte[] request, SecretRedactor redactor, Func<JsonElement, T> interpret, CancellationToken cancellationToken)
    {
        var executable = _executable!;
        EnsureRunnable(hook, executable);
        Log.Running(_logger, hook, executable);
        var started = _time.GetTimestamp();
        var stderr = new StderrTail();
        using var process = new Process { StartInfo = CreateStartInfo(executable, hook) };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new KitHookException(hook, executable, KitHookFailure.StartFailed, $"could not be started: {e.Message}", innerException: e);
        }

        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var stdout = new ResponseBuffer(_options.MaxResponseBytes);
        var io = Task.WhenAll(
            WriteRequestAsync(process.StandardInput.BaseStream, request),
            stdout.FillAsync(process.StandardOutput.BaseStream),
            PumpStderrAsync(process.StandardError, hook, redactor, stderr));
        try
        {
            await process.WaitForExitAsync(linked.Token);
            // A background child the hook left behind may still hold the pipes open; the timeout covers that too.
            await io.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            await KillAsync(process, io);
            cancellationToken.ThrowIfCancellationRequested();
            stdout.Clear();
            var seconds = _options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            throw new KitHookException(hook, executable, KitHookFailure.TimedOut, $"timed out after {seconds}s and was killed with its child processes", stderr.Lines);
        }

        try
        {
            if (process.ExitCode != 0)
            {
                throw new KitHookException(hook, executable, KitHookFailure.NonZeroExit, $"exited with code {process.ExitCode}", stderr.Lines, process.ExitCode);
            }

            var result = Interpret(stdout, interpret);
            Log.Succeeded(_logger, hook, _time.GetElapsedTime(started));
            return result;
        }
        catch (HookResponseException e)
        {
            throw new KitHookException(hook, executable, KitHookFailure.InvalidResponse, $"returned an invalid response: {e.Message}", stderr.Lines, 0);
        }
        finally
        {
            stdout.Clear();
        }
    }

    private T Interpret<T>(ResponseBuffer stdout, Func<JsonElement, T> interpret)
    {
        if (stdout.Overflowed)
        {
            throw new HookResponseException($"stdout is larger than {_options.MaxResponseBytes} bytes");
        }

        if (stdout.Data.IsEmpty)
        {
            throw new HookResponseException("stdout is empty; expected a JSON object");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stdout.Data);
        }
        catch (JsonException e)
        {
            // The parser's own message quotes the offending text, which may be a secret: give the position only.
            throw new HookResponseException($"stdout is not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }

        using (document)
        {
            return interpret(document.RootElement);
        }
    }

    private static void EnsureRunnable(string hook, string executable)
    {
        if (!File.Exists(executable))
        {
            throw new KitHookException(hook, executable, KitHookFailure.ExecutableMissing, "cannot run: the hooks executable does not exist");
        }

        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(executable) & anyExecute) == 0)
        {
            throw new KitHookException(hook, executable, KitHookFailure.StartFailed, "cannot run: the hooks executable is not executable (chmod +x it)");
        }
    }

    private ProcessStartInfo CreateStartInfo(string executable, string hook)
    {
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = Path.GetDirectoryName(executable)!,
        };
        info.ArgumentList.Add(hook);
        info.Environment.Clear();
        foreach (var name in InheritedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                info.Environment[name] = value;
            }
        }

        foreach (var (name, value) in _options.ExtraEnvironment)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private static async Task WriteRequestAsync(Stream stdin, byte[] request)
    {
        try
        {
            await using (stdin)
            {
                await stdin.WriteAsync(request);
            }
        }
        catch (IOException)
        {
            // The hook exited or closed stdin without reading it all; its exit code and response decide.
        }
    }

    private async Task PumpStderrAsync(StreamReader stderr, string hook, SecretRedactor redactor, StderrTail tail)
    {
        while (await stderr.ReadLineAsync() is { } line)
        {
            // Mask before cutting, so a secret cannot survive as a truncated prefix.
            var masked = redactor.Redact(line);
            if (masked.Length > MaxStderrLineChars)
            {
                masked = string.Concat(masked.AsSpan(0, MaxStderrLineChars), "…");
            }

            Log.Stderr(_logger, hook, masked);
            tail.Add(masked);
        }
    }

    private async Task KillAsync(Process process, Task io)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own meanwhile.
        }

        await Task.WhenAny(process.WaitForExitAsync(CancellationToken.None), Task.Delay(DrainGrace, _time));
        await Task.WhenAny(io, Task.Delay(DrainGrace, _time));
    }

    /// <summary>The last lines a hook wrote to stderr, for the exception message.</summary>
    private sealed class StderrTail
    {
        private readonly Queue<string> _lines = new();

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public void Add(string line)
        {
            lock (_lines)
            {
                if (_lines.Count == StderrTailLines)
                {
                    _lines.Dequeue();
                }

                _lines.Enqueue(line);
            }
        }
    }

    /// <summary>A hook's stdout, up to a limit; what goes past it is read and dropped so the hook never blocks on a full pipe.</summary>
    private sealed class ResponseBuffer(int limit)
    {
        private readonly MemoryStream _data = new();

        public bool Overflowed { get; private set; }

        public ReadOnlyMemory<byte> Data => _data.GetBuffer().AsMemory(0, (int)_data.Length);

        public async Task FillAsync(Stream stdout)
        {
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stdout.ReadAsync(chunk)) > 0)
            {
                if (_data.Length + read > limit)
                {
                    Overflowed = true;
                }
                else
                {
                    _data.Write(chunk, 0, read);
                }
            }

            CryptographicOperations.ZeroMemory(chunk);
        }

        /// <summary>Wipes the response: render_env's carries secrets.</summary>
        public void Clear() => CryptographicOperations.ZeroMemory(_data.GetBuffer());
    }
}
