using Aegis.Sandbox.Bubblewrap;
using Microsoft.Extensions.Logging;

namespace Aegis.Sandbox.Tests.Bubblewrap;

internal static class BubblewrapTestBackend
{
    /// <summary>A backend keeping its state below <paramref name="stateDirectory"/>; <paramref name="scheduling"/> null keeps the default.</summary>
    public static BubblewrapBackend Create(string stateDirectory, ILoggerFactory loggerFactory, CpuScheduling? scheduling = null)
    {
        var options = new BubblewrapOptions
        {
            RuntimeDirectory = Path.Combine(stateDirectory, "run"),
            LogDirectory = Path.Combine(stateDirectory, "logs"),
        };
        return new(scheduling is { } policy ? options with { Scheduling = policy } : options, loggerFactory);
    }
}
