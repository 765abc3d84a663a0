import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { AgentCanvas } from '@famiglia/agent-sdk'

/** The React app as `vite build` left it beside the compiled agent (`dist/canvas`). */
export const builtApp = path.join(__dirname, 'canvas')

/**
 * Writes every file of the built app into the canvas under the same relative path (`index.html`, `assets/…`) and
 * returns how many. Through the SDK, not straight into the directory, so the writes are atomic: a browser never loads
 * half a bundle. Resolves once every file is written; the caller bumps the version.
 */
export async function installApp(canvas: AgentCanvas, from: string = builtApp): Promise<number> {
  let count = 0
  for await (const file of filesBelow(from)) {
    await canvas.write(file, await readFile(path.join(from, ...file.split('/'))))
    count++
  }

  if (count === 0) {
    throw new Error(`no built canvas app in ${from}: run npm run build`)
  }

  return count
}

async function* filesBelow(directory: string, prefix = ''): AsyncGenerator<string> {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      yield* filesBelow(path.join(directory, entry.name), `${prefix}${entry.name}/`)
    } else if (entry.isFile()) {
      yield `${prefix}${entry.name}`
    }
  }
}
