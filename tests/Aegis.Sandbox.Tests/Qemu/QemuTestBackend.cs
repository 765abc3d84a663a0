using Aegis.Sandbox.Qemu;
using Microsoft.Extensions.Logging;

namespace Aegis.Sandbox.Tests.Qemu;

internal static class QemuTestBackend
{
    public static QemuBackend Create(QemuImage image, string stateDirectory, ILoggerFactory loggerFactory) =>
        new(new QemuOptions
        {
            ImageDirectory = image.Directory,
            RuntimeDirectory = Path.Combine(stateDirectory, "run"),
            LogDirectory = Path.Combine(stateDirectory, "logs"),
        }, loggerFactory);
}
