using System.Net.Sockets;
using System.Reflection;

namespace Famiglia.Xmpp.Transport;

/// <summary>Where a socket's completed operations continue: the runtime's socket event thread or the thread pool.</summary>
internal static class SocketCompletions
{
    // Internal in System.Net.Sockets (an experimental switch the runtime keeps reachable by reflection: see the
    // DynamicDependency on Socket.PreferInlineCompletions); its process-wide form is the environment variable
    // DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1. Null if a runtime drops it: then nothing changes.
    private static readonly PropertyInfo? InlineCompletions =
        typeof(Socket).GetProperty("PreferInlineCompletions", BindingFlags.NonPublic | BindingFlags.Instance) is { CanWrite: true } property
        && property.PropertyType == typeof(bool) ? property : null;

    /// <summary>Asks for <paramref name="socket"/>'s completions to run inline on the event thread; false when the runtime cannot.</summary>
    public static bool TryPreferInline(Socket socket, bool inline)
    {
        if (InlineCompletions is null)
        {
            return false;
        }

        try
        {
            InlineCompletions.SetValue(socket, inline);
            return true;
        }
        catch (TargetInvocationException)
        {
            return false;
        }
    }
}
