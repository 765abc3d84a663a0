using System.Diagnostics;
using System.Text;

namespace Aegis.Sandbox.Qemu;

/// <summary>Which of QEMU's accelerators runs the guests, and why.</summary>
/// <param name="Name"><c>kvm</c> or <c>tcg</c>.</param>
/// <param name="Reason">What decided it, for the log and <c>aegis status</c>.</param>
public sealed record QemuAccelerator(string Name, string Reason)
{
    public bool IsKvm => Name == "kvm";

    /// <summary>
    /// KVM only when a vCPU demonstrably runs: on nested hosts <c>KVM_CREATE_VM</c> succeeds and vCPUs then hang, so
    /// the probe boots the guest kernel under KVM and waits, with a timeout, for its first console line.
    /// </summary>
    internal static async Task<QemuAccelerator> ProbeAsync(QemuOptions options, string kernel, CancellationToken cancellationToken)
    {
        switch (options.Accelerator)
        {
            case "tcg":
                return new QemuAccelerator("tcg", "configured");
            case "kvm":
                return new QemuAccelerator("kvm", "configured");
        }

        if (!File.Exists("/dev/kvm"))
        {
            return new QemuAccelerator("tcg", "no /dev/kvm");
        }

        var startInfo = new ProcessStartInfo(options.QemuPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-M", "microvm,acpi=off", "-accel", "kvm", "-cpu", "host", "-m", "128", "-smp", "1", "-nodefaults", "-no-user-config",
            "-display", "none", "-no-reboot", "-serial", "stdio", "-kernel", kernel, "-append", "console=ttyS0 earlyprintk=ttyS0 panic=-1",
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        using var process = Process.Start(startInfo) ?? throw new SandboxException($"Could not start {options.QemuPath}");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var output = new StringBuilder();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.KvmProbeTimeout);
        var buffer = new char[4096];
        try
        {
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer, timeout.Token)) > 0)
            {
                output.Append(buffer, 0, read);
                if (output.ToString().Contains("Linux version", StringComparison.Ordinal))
                {
                    return new QemuAccelerator("kvm", "a KVM vCPU ran the guest kernel");
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new QemuAccelerator("tcg", $"/dev/kvm is there but no KVM vCPU ran within {options.KvmProbeTimeout.TotalSeconds:0} s");
        }
        finally
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            // A vCPU stuck in the host kernel may not even die at once; the probe does not wait for it forever.
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None)
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // The first line says why (e.g. "failed to set MSR 0x10a"); the rest is QEMU's assertion noise.
        var error = (await stderr).Trim().Split('\n')[0].Replace("qemu-system-x86_64: ", "", StringComparison.Ordinal);
        return new QemuAccelerator("tcg", $"KVM refused: {(error.Length > 200 ? error[..200] : error)}");
    }
}
