using System.Text;
using Famiglia.AgentSdk;
using static System.Net.WebUtility;

namespace PhotoLibrary;

/// <summary>The canvas's <c>index.html</c>: a responsive grid of the photos, self-contained (no external resources),
/// reloading itself when the agent bumps the canvas version.</summary>
internal static class GalleryPage
{
    private const string Head = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Photo Library</title>
        <style>
          body { margin: 0; padding: 1.5rem; font-family: system-ui, sans-serif; background: #fafafa; color: #222; }
          h1 { margin: 0 0 1rem; font-size: 1.5rem; }
          .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: .75rem; }
          figure { margin: 0; }
          img { display: block; width: 100%; aspect-ratio: 1; object-fit: cover; border-radius: 6px; background: #e5e5e5; }
          figcaption { margin-top: .25rem; font-size: .8rem; color: #555; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        </style>
        </head>
        <body>
        """;

    // Reloads when the canvas version changes; the first version the socket sends is the one this page shows.
    private const string Tail = """
        <script>
        (() => {
          const url = new URL('_canvas/events', location.href);
          url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
          let shown = null;
          const connect = () => {
            const socket = new WebSocket(url);
            socket.onmessage = event => {
              const { version } = JSON.parse(event.data);
              if (shown !== null && version !== shown) location.reload();
              shown = version;
            };
            socket.onclose = () => setTimeout(connect, 2000);
          };
          connect();
        })();
        </script>
        </body>
        </html>
        """;

    public static string Render(IReadOnlyList<Post> photos, int total)
    {
        var html = new StringBuilder(Head).AppendLine();
        html.Append("<h1>Photo Library (").Append(total).AppendLine(" photos)</h1>");
        if (photos.Count == 0)
        {
            html.AppendLine("<p>No photos yet. Post some to the group's feed, then ask me again.</p>");
        }

        html.AppendLine("<div class=\"grid\">");
        foreach (var photo in photos)
        {
            if (photo.Media.Count == 0)
            {
                continue;
            }

            var text = photo.Content.Text ?? "";
            html.Append("<figure><img src=\"").Append(HtmlEncode(photo.Media[0].Url))
                .Append("\" alt=\"").Append(HtmlEncode(text)).Append("\" loading=\"lazy\">");
            if (text.Length > 0)
            {
                html.Append("<figcaption>").Append(HtmlEncode(text)).Append("</figcaption>");
            }

            html.AppendLine("</figure>");
        }

        return html.AppendLine("</div>").Append(Tail).AppendLine().ToString();
    }
}
