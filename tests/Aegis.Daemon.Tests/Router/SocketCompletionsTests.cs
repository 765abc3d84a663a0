using System.Net.Sockets;
using Aegis.Daemon.Router;

namespace Aegis.Daemon.Tests.Router;

public class SocketCompletionsTests
{
    /// <summary>The router's throughput (bench/RESULTS.md) depends on an internal runtime switch: a runtime that drops it
    /// changes nothing silently, so this says so.</summary>
    [Fact]
    public void The_runtime_still_lets_the_router_ask_for_inline_completions()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        Assert.True(SocketCompletions.TryPreferInline(socket));
    }
}
