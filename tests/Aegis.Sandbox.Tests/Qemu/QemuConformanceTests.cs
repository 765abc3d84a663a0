using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Qemu;

/// <summary>The backend conformance tests against QEMU microVMs (TCG on hosts whose KVM does not run vCPUs).</summary>
public sealed class QemuConformanceTests(QemuImage image, ITestOutputHelper output) : SandboxBackendConformanceTests(output), IClassFixture<QemuImage>
{
    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        QemuTestBackend.Create(image, stateDirectory, loggerFactory);
}
