using System.Net;
using System.Net.Sockets;

namespace Famiglia.TestKit;

/// <summary>
/// Free TCP ports on loopback, handed out once each within this process. They come from below the kernel's ephemeral
/// range (<c>net.ipv4.ip_local_port_range</c>): a port asked of the kernel (bind to 0) and released could be taken by
/// any outgoing connection's source port before the service the test starts binds it (ejabberd failed so with
/// <c>eaddrinuse</c>); below that range only another listener can take it.
/// </summary>
public static class FreePort
{
    private const int Lowest = 10000;

    /// <summary>Ports browsers refuse to load from (Chromium's and Firefox's restricted list; the rest lie below 10000):
    /// a web server on one fails every browser test with <c>net::ERR_UNSAFE_PORT</c>.</summary>
    private static readonly HashSet<int> UnsafeForBrowsers = [10080];
    private static readonly HashSet<int> Given = [];
    private static readonly int Highest = EphemeralLow() - 1;

    public static int Next()
    {
        if (Highest <= Lowest)
        {
            return FromKernel();
        }

        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(Lowest, Highest + 1);
            lock (Given)
            {
                if (Given.Contains(port) || UnsafeForBrowsers.Contains(port) || !Bindable(port))
                {
                    continue;
                }

                Given.Add(port);
                return port;
            }
        }

        return FromKernel();
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FromKernel()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (Given)
            {
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }

    private static int EphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
