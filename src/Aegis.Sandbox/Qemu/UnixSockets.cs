using System.Net.Sockets;

namespace Aegis.Sandbox.Qemu;

internal static class UnixSockets
{
    /// <summary>A listening unix stream socket at <paramref name="path"/> (replacing a stale file).</summary>
    public static Socket Listen(string path)
    {
        File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            return listener;
        }
        catch (SocketException exception)
        {
            listener.Dispose();
            throw new SandboxException($"Could not listen on {path}: {exception.SocketErrorCode}", exception);
        }
    }
}
