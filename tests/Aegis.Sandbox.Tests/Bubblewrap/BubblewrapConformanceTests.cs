using Aegis.Sandbox;
using Aegis.Sandbox.Bubblewrap;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Bubblewrap;

public sealed class BubblewrapConformanceTests(ITestOutputHelper output) : SandboxBackendConformanceTests(output)
{
    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        BubblewrapTestBackend.Create(stateDirectory, loggerFactory);
}
