import { useEffect, useState } from 'react'
import { dashboardFile, type Dashboard } from '../../src/dashboard'
import { useCanvasVersion } from './useCanvasVersion'

export type DashboardState =
  | { readonly status: 'loading' }
  | { readonly status: 'empty' }
  | { readonly status: 'failed'; readonly message: string }
  | { readonly status: 'ready'; readonly dashboard: Dashboard }

/**
 * The agent's dashboard.json, fetched again at every canvas version. The canvas iframe is sandboxed without
 * allow-same-origin, so this fetch is a cross-origin request (the canvas server allows it) and its URL must be relative.
 * What was shown stays on screen while a newer version loads.
 */
export function useDashboard(): DashboardState {
  const version = useCanvasVersion()
  const [state, setState] = useState<DashboardState>({ status: 'loading' })

  useEffect(() => {
    const abort = new AbortController()
    // no-store: the file changes under the same name; the version says when.
    fetch(dashboardFile, { cache: 'no-store', signal: abort.signal })
      .then(async (response) => {
        if (response.status === 404) {
          setState({ status: 'empty' })
        } else if (!response.ok) {
          throw new Error(`${dashboardFile} answered ${response.status}`)
        } else {
          setState({ status: 'ready', dashboard: (await response.json()) as Dashboard })
        }
      })
      .catch((error: unknown) => {
        if (!abort.signal.aborted) {
          setState({ status: 'failed', message: error instanceof Error ? error.message : String(error) })
        }
      })
    return () => abort.abort()
  }, [version])

  return state
}
