using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;

/// <summary>
/// The least a .NET proxy can do for the router bench's request, to measure the ceiling of any proxy written on .NET's
/// sockets on this machine: no HTTP server, no HTTP client, no thread-pool hop (socket continuations inline), one
/// upstream connection per caller connection. It still does the router's per-request work (strips the
/// <c>/agent/{appId}</c> prefix, drops Cookie and Authorization, adds the framing headers), and nothing more: GET
/// without a body, responses with Content-Length. Not a product: it exists only to say what the router could reach.
/// </summary>
internal sealed class CeilingProxy : IAsyncDisposable
{
    private static readonly byte[] FramingHeaders = "Content-Security-Policy: frame-ancestors http://localhost\r\nX-Content-Type-Options: nosniff\r\n"u8.ToArray();
    private readonly Socket _listener = new(SocketType.Stream, ProtocolType.Tcp);
    private readonly IPEndPoint _upstream;
    private readonly int _prefixLength;
    private readonly Task _accepting;

    public CeilingProxy(IPEndPoint upstream, string prefix)
    {
        _upstream = upstream;
        _prefixLength = prefix.Length;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1024);
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static void PreferInline(Socket socket) =>
        typeof(Socket).GetProperty("PreferInlineCompletions", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
            ?.SetValue(socket, true);

    private async Task AcceptAsync()
    {
        while (true)
        {
            var caller = await _listener.AcceptAsync();
            _ = Task.Run(() => ServeAsync(caller));
        }
    }

    private async Task ServeAsync(Socket caller)
    {
        using var _ = caller;
        caller.NoDelay = true;
        PreferInline(caller);
        using var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await upstream.ConnectAsync(_upstream);
        PreferInline(upstream);
        var request = new byte[16384];
        var forwarded = new byte[16384];
        var response = new byte[65536];
        int requestLength = 0, responseLength = 0;
        try
        {
            while (true)
            {
                int headEnd;
                while ((headEnd = request.AsSpan(0, requestLength).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    var read = await caller.ReceiveAsync(request.AsMemory(requestLength), SocketFlags.None);
                    if (read == 0)
                    {
                        return;
                    }

                    requestLength += read;
                }

                var length = Rewrite(request.AsSpan(0, headEnd + 4), forwarded);
                await upstream.SendAsync(forwarded.AsMemory(0, length), SocketFlags.None);
                requestLength -= headEnd + 4;
                request.AsSpan(headEnd + 4, requestLength).CopyTo(request);

                int responseHeadEnd;
                while ((responseHeadEnd = response.AsSpan(0, responseLength).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    var read = await upstream.ReceiveAsync(response.AsMemory(responseLength), SocketFlags.None);
                    if (read == 0)
                    {
                        return;
                    }

                    responseLength += read;
                }

                var total = responseHeadEnd + 4 + ContentLength(response.AsSpan(0, responseHeadEnd + 2));
                while (responseLength < total)
                {
                    var read = await upstream.ReceiveAsync(response.AsMemory(responseLength), SocketFlags.None);
                    if (read == 0)
                    {
                        return;
                    }

                    responseLength += read;
                }

                var answer = new byte[total + FramingHeaders.Length];
                response.AsSpan(0, responseHeadEnd + 2).CopyTo(answer);
                FramingHeaders.CopyTo(answer.AsSpan(responseHeadEnd + 2));
                response.AsSpan(responseHeadEnd + 2, total - responseHeadEnd - 2).CopyTo(answer.AsSpan(responseHeadEnd + 2 + FramingHeaders.Length));
                await caller.SendAsync(answer, SocketFlags.None);
                responseLength -= total;
                response.AsSpan(total, responseLength).CopyTo(response);
            }
        }
        catch (SocketException)
        {
            // the caller went away
        }
    }

    /// <summary>"GET /agent/{appId}/rest HTTP/1.1" becomes "GET /rest HTTP/1.1"; Cookie and Authorization stay behind.</summary>
    private int Rewrite(ReadOnlySpan<byte> head, Span<byte> output)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var space = head.IndexOf((byte)' ');
        head[..(space + 1)].CopyTo(output);
        var written = space + 1;
        var rest = head[(space + 1 + _prefixLength)..(lineEnd + 2)];
        if (rest[0] == (byte)' ')
        {
            output[written++] = (byte)'/';
        }

        rest.CopyTo(output[written..]);
        written += rest.Length;
        var headers = head[(lineEnd + 2)..];
        while (true)
        {
            var end = headers.IndexOf("\r\n"u8);
            if (end == 0)
            {
                break;
            }

            var line = headers[..(end + 2)];
            if (!line.StartsWith("Cookie:"u8) && !line.StartsWith("Authorization:"u8))
            {
                line.CopyTo(output[written..]);
                written += line.Length;
            }

            headers = headers[(end + 2)..];
        }

        "\r\n"u8.CopyTo(output[written..]);
        return written + 2;
    }

    private static int ContentLength(ReadOnlySpan<byte> head)
    {
        var at = head.IndexOf("Content-Length: "u8);
        if (at < 0)
        {
            return 0;
        }

        var value = head[(at + "Content-Length: ".Length)..];
        Utf8Parser.TryParse(value[..value.IndexOf((byte)'\r')], out int length, out _);
        return length;
    }
}
