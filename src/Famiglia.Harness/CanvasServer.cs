using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Famiglia.Harness;

/// <summary>The canvas on port 80: static files from the canvas directory, the version for polling and pushing,
/// and the media proxy that keeps the API key inside the sandbox.</summary>
internal static class CanvasServer
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static void MapCanvas(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            // The room shows the canvas in an iframe sandboxed without allow-same-origin, so the page's origin is
            // "null" and its own fetch()es, module scripts (every Vite/React build) and _canvas/version polls are
            // cross-origin requests, which need this. It exposes nothing more: the router takes no credentials (it
            // drops cookies and Authorization), so what a browser may read here anyone with the URL may fetch already.
            context.Response.Headers.AccessControlAllowOrigin = "*";
            if (HttpMethods.IsOptions(context.Request.Method))
            {
                // A preflight (a fetch with headers of its own): reads only.
                context.Response.Headers.AccessControlAllowMethods = "GET, HEAD";
                context.Response.Headers.AccessControlAllowHeaders = context.Request.Headers.AccessControlRequestHeaders;
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                // The canvas is read-only from the browser; agents write through the agent protocol.
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                context.Response.Headers.Allow = "GET, HEAD";
                return;
            }

            await next(context);
        });
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });

        app.MapGet("/_canvas/version", (CanvasStore canvas, HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            return Results.Json(new VersionBody(canvas.Version), HarnessJson.Default.VersionBody);
        });
        app.Map("/_canvas/events", EventsAsync);
        app.MapMethods("/_media/{mediaId}", ["GET", "HEAD"], MediaAsync);
        app.MapMethods("/{**path}", ["GET", "HEAD"], (string? path, CanvasStore canvas, HttpContext http) => Serve(path ?? "", canvas, http));
    }

    /// <summary>The placeholder of a canvas with nothing drawn yet, served at canvas version {0}. It reloads when its
    /// socket tells of another version than that one: the agent's first drawing may come (with its bump) between this
    /// page being served and its socket connecting, when a "reload at the next change" would wait for ever.</summary>
    private const string EmptyCanvas = """
        <!DOCTYPE html>
        <html lang="en" data-canvas-version="{0}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Canvas</title>
        <style>body{{font-family:system-ui,sans-serif;color:#6a7480;display:grid;place-items:center;min-height:90vh;margin:0}}</style></head>
        <body><p>Nothing on this canvas yet. Ask the agent in the chat below.</p>
        <script>
          const url = new URL('_canvas/events', location.href);
          url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
          const served = Number(document.documentElement.dataset.canvasVersion);
          new WebSocket(url).onmessage = (e) => {{
            if (JSON.parse(e.data).version !== served) location.reload();
          }};
        </script></body></html>
        """;

    private static IResult Serve(string path, CanvasStore canvas, HttpContext http)
    {
        // Read before the file is looked for: a drawing that lands after the look is a later version than this.
        var version = canvas.Version;
        var file = canvas.ResolveForServing(path);
        if (file is null)
        {
            // An agent that has drawn nothing yet still has a canvas: a placeholder that reloads at the first bump.
            if (path is not ("" or "index.html"))
            {
                return Results.NotFound();
            }

            http.Response.Headers.CacheControl = "no-store";
            return Results.Content(string.Format(CultureInfo.InvariantCulture, EmptyCanvas, version), "text/html; charset=utf-8");
        }

        if (!ContentTypes.TryGetContentType(file, out var contentType))
        {
            contentType = "application/octet-stream";
        }
        else if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType is "application/javascript" or "application/json")
        {
            contentType += "; charset=utf-8";
        }

        var info = new FileInfo(file);
        http.Response.Headers.CacheControl = "no-cache";
        var etag = new EntityTagHeaderValue($"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}\"");
        return Results.File(file, contentType, lastModified: info.LastWriteTimeUtc, entityTag: etag, enableRangeProcessing: true);
    }

    private static async Task EventsAsync(HttpContext http, CanvasStore canvas)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsync("/_canvas/events is a WebSocket endpoint; poll /_canvas/version otherwise.");
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var versions = System.Threading.Channels.Channel.CreateBounded<long>(new System.Threading.Channels.BoundedChannelOptions(16)
        {
            FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest,
        });
        using var subscription = canvas.Subscribe(v => versions.Writer.TryWrite(v));
        versions.Writer.TryWrite(canvas.Version);
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        var reader = DrainAsync(socket, closed);
        try
        {
            await foreach (var version in versions.Reader.ReadAllAsync(closed.Token))
            {
                var bytes = Encoding.UTF8.GetBytes($"{{\"version\":{version}}}");
                await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, closed.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }

        await reader;
    }

    /// <summary>Reads (and ignores) what the browser sends until it closes, then ends the push loop.</summary>
    private static async Task DrainAsync(WebSocket socket, CancellationTokenSource closed)
    {
        var buffer = new byte[1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, closed.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
        finally
        {
            await closed.CancelAsync();
        }
    }

    private static async Task<IResult> MediaAsync(string mediaId, HttpContext http, MediaCache media)
    {
        var (entry, status) = await media.GetAsync(mediaId, http.RequestAborted);
        if (entry is null)
        {
            return Results.StatusCode((int)status);
        }

        // Immutable under its id: browsers may keep it.
        http.Response.Headers.CacheControl = "private, max-age=86400, immutable";
        var info = new FileInfo(entry.Path);
        return Results.File(entry.Path, entry.ContentType, lastModified: info.LastWriteTimeUtc,
            entityTag: new EntityTagHeaderValue($"\"{mediaId}\""), enableRangeProcessing: true);
    }
}

internal sealed record VersionBody(long Version);
