import { useEffect, useState } from 'react'

/**
 * The canvas version the harness pushes on `_canvas/events`: it changes whenever the agent calls
 * `canvas.bumpVersion()`. Null until the first one arrives (and under `npm run dev`, where no harness runs). The socket
 * reconnects after a drop, so a tab left open follows an agent that was paused or restarted.
 */
export function useCanvasVersion(): number | null {
  const [version, setVersion] = useState<number | null>(null)

  useEffect(() => {
    // Relative, as every URL of a canvas must be: the router serves it under /agent/{appId}/.
    const url = new URL('_canvas/events', location.href)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    let socket: WebSocket | undefined
    let retry: number | undefined
    let closed = false
    const connect = () => {
      socket = new WebSocket(url)
      // Tells the room page this app follows its version itself, so a bump does not reload the tab (the app keeps its
      // state and fetches its data again). Harmless where nobody listens (the canvas opened on its own).
      socket.onopen = () => window.parent.postMessage({ famiglia: 'canvas-live' }, '*')
      socket.onmessage = (event) => setVersion((JSON.parse(event.data as string) as { version: number }).version)
      socket.onclose = () => {
        if (!closed) {
          retry = window.setTimeout(connect, 2000)
        }
      }
    }

    connect()
    return () => {
      closed = true
      window.clearTimeout(retry)
      socket?.close()
    }
  }, [])

  return version
}
