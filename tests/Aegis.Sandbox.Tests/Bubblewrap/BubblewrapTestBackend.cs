using Aegis.Sandbox.Bubblewrap;
using Microsoft.Extensions.Logging;

namespace Aegis.Sandbox.Tests.Bubblewrap;

internal static class BubblewrapTestBackend
{
    public static BubblewrapBackend Create(string stateDirectory, ILoggerFactory loggerFactory) =>
        new(new BubblewrapOptions
        {
            RuntimeDirectory = Path.Combine(stateDirectory, "run"),
            LogDirectory = Path.Combine(stateDirectory, "logs"),
        }, loggerFactory);
}
