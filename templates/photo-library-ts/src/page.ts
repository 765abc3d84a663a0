// The gallery page's fixed parts: self-contained (no external resources) and reloading itself when the agent bumps
// the canvas version.

/** Text made safe for HTML content and attribute values. */
export function html(text: string | null): string {
  return (text ?? '').replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}

export const head = `
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
`

// The first version the socket sends is the one this page shows; a later one reloads it.
export const reloadScript = `
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
`
