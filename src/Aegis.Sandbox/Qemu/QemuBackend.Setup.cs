using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Aegis.Sandbox.Control;
using Aegis.Sandbox.Logging;
using Microsoft.Extensions.Logging;

namespace Aegis.Sandbox.Qemu;

public sealed partial class QemuBackend
{
    /// <summary>What a start has created so far: handed to the sandbox when it exists, undone in reverse when not.</summary>
    private sealed class Setup(SandboxSpec spec, QemuPaths paths)
    {
        private readonly StringBuilder _vmmOutput = new();

        public SandboxSpec Spec => spec;

        public QemuPaths Paths => paths;

        public RotatingLogFile? Log { get; set; }

        public SandboxControlChannel? Control { get; set; }

        public GuestLink? Link { get; set; }

        public Socket? LogListener { get; set; }

        /// <summary>The endpoint's port: the host's own relay, listening only while the guest does.</summary>
        public int HostPort { get; set; }

        /// <summary>slirp's hostfwd, which accepts whether or not the guest listens; the relay connects to it.</summary>
        public int ForwardPort { get; set; }

        public Process? Process { get; set; }

        public QmpClient? Qmp { get; set; }

        /// <summary>QEMU's own stdout/stderr (option errors, warnings), kept to explain a failed start.</summary>
        public void StartCapturingVmmOutput()
        {
            Process!.OutputDataReceived += (_, e) => Append(e.Data);
            Process.ErrorDataReceived += (_, e) => Append(e.Data);
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public string VmmOutput()
        {
            lock (_vmmOutput)
            {
                return _vmmOutput.ToString().Trim();
            }
        }

        public QemuSandbox CreateSandbox(QemuMachine machine, IReadOnlyList<ShareDisk> shares, JsonObject? run, bool restored, QemuOptions options, TimeProvider timeProvider, ILogger<QemuSandbox> logger) =>
            new(spec.InstanceId, Process!, Qmp!, Link!, LogListener!, Control!, Log!, paths, machine, shares, QemuMachine.Loopback(HostPort), QemuMachine.Loopback(ForwardPort), run, restored, VmmOutput, spec.Resources, options, timeProvider, logger);

        public async Task AbortAsync(ILogger logger)
        {
            var id = spec.InstanceId;
            if (Process is { } process)
            {
                await TryAsync(logger, id, "qemu", async () =>
                {
                    if (!process.HasExited)
                    {
                        process.Kill();
                    }

                    await process.WaitForExitAsync();
                    process.Dispose();
                });
            }

            await TryAsync(logger, id, "qmp", async () => await (Qmp?.DisposeAsync() ?? ValueTask.CompletedTask));
            await TryAsync(logger, id, "guest link", async () => await (Link?.DisposeAsync() ?? ValueTask.CompletedTask));
            LogListener?.Dispose();
            await TryAsync(logger, id, "control channel", async () => await (Control?.DisposeAsync() ?? ValueTask.CompletedTask));
            await TryAsync(logger, id, "log", async () => await (Log?.DisposeAsync() ?? ValueTask.CompletedTask));
            await TryAsync(logger, id, "runtime directory", () =>
            {
                Directory.Delete(paths.Directory, recursive: true);
                return Task.CompletedTask;
            });
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_vmmOutput)
            {
                if (_vmmOutput.Length < 16 * 1024)
                {
                    _vmmOutput.AppendLine(line);
                }
            }
        }
    }
}
