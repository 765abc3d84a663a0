using Aegis.Sandbox;
using Aegis.Sandbox.Bubblewrap;
using Aegis.Sandbox.Qemu;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Aegis.Daemon.Infrastructure;

/// <summary>The sandbox backend aegisd runs, chosen by <c>Aegis:Backend</c> (<c>bwrap</c> or <c>qemu</c>).</summary>
internal static class SandboxBackendSetup
{
    public static readonly string[] Names = ["bwrap", "qemu"];

    /// <summary>
    /// bwrap keeps its logs in the data directory; qemu too, with its instance disks under <c>qemu/</c> and its image
    /// (images/qemu/build) in <c>Aegis:Qemu:ImageDirectory</c>. Every <see cref="QemuOptions"/> property can be set
    /// below <c>Aegis:Qemu</c> (e.g. <c>Aegis:Qemu:Accelerator = tcg</c>).
    /// </summary>
    public static IServiceCollection AddSandboxBackend(this IServiceCollection services)
    {
        services.AddSingleton<ISandboxBackend>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<AegisOptions>>().Value;
            var loggerFactory = provider.GetRequiredService<ILoggerFactory>();
            var timeProvider = provider.GetRequiredService<TimeProvider>();
            var logs = Path.Combine(options.DataDirectory, "logs");
            if (options.Backend == "qemu")
            {
                var qemu = new QemuOptions
                {
                    ImageDirectory = Path.Combine(options.DataDirectory, "images", "qemu"),
                    RuntimeDirectory = Path.Combine(options.DataDirectory, "qemu"),
                    LogDirectory = logs,
                    Scheduling = options.SandboxScheduling,
                };
                provider.GetRequiredService<IConfiguration>().GetSection("Aegis:Qemu").Bind(qemu);
                return new QemuBackend(qemu, loggerFactory, timeProvider);
            }

            return new BubblewrapBackend(new BubblewrapOptions { LogDirectory = logs, Scheduling = options.SandboxScheduling }, loggerFactory, timeProvider);
        });
        return services;
    }

    /// <summary><c>GET /v1/backend</c>: which backend runs the sandboxes, and for qemu which accelerator and why.</summary>
    public static RouteGroupBuilder MapBackend(this RouteGroupBuilder api)
    {
        api.MapGet("/backend", GetAsync);
        return api;
    }

    private static async Task<Ok<BackendDto>> GetAsync(ISandboxBackend backend, CancellationToken cancellationToken)
    {
        var probe = await backend.ProbeAsync(cancellationToken);
        var accelerator = backend is QemuBackend qemu && probe.Available ? await qemu.GetAcceleratorAsync().WaitAsync(cancellationToken) : null;
        return TypedResults.Ok(new BackendDto(backend.Name, probe.Available, probe.Problems, accelerator?.Name, accelerator?.Reason));
    }
}

internal sealed record BackendDto(string Name, bool Available, IReadOnlyList<string> Problems, string? Accelerator, string? AcceleratorReason);
