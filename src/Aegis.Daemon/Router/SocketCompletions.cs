using System.Net.Sockets;
using System.Reflection;

namespace Aegis.Daemon.Router;

/// <summary>
/// Where a socket's completed operations continue: the runtime's socket event thread (inline) or the thread pool.
/// Inline saves a thread-pool hop per read, which on a busy proxy is a worker woken (and spinning) per request; the
/// continuation must then never block.
/// </summary>
internal static class SocketCompletions
{
    // Internal in System.Net.Sockets (an experimental switch the runtime keeps reachable by reflection: see the
    // DynamicDependency on Socket.PreferInlineCompletions); its process-wide form is the environment variable
    // DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1. Null if a runtime drops it: then nothing changes.
    private static readonly PropertyInfo? InlineCompletions =
        typeof(Socket).GetProperty("PreferInlineCompletions", BindingFlags.NonPublic | BindingFlags.Instance) is { CanWrite: true } property
        && property.PropertyType == typeof(bool) ? property : null;

    /// <summary>Asks for <paramref name="socket"/>'s completions to run inline; false when the runtime cannot.</summary>
    public static bool TryPreferInline(Socket socket)
    {
        if (InlineCompletions is null)
        {
            return false;
        }

        try
        {
            InlineCompletions.SetValue(socket, true);
            return true;
        }
        catch (TargetInvocationException)
        {
            return false;
        }
    }
}
