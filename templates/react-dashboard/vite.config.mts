import { readFile } from 'node:fs/promises'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'

// The React app in canvas/, built into dist/canvas beside the compiled agent, which copies it into its canvas.
// base './': aegisd's router serves the canvas under /agent/{appId}/, so every URL in the build must be relative.
export default defineConfig({
  root: 'canvas',
  base: './',
  plugins: [react(), sampleDashboard()],
  build: { outDir: '../dist/canvas', emptyOutDir: true },
})

/** `npm run dev` runs no agent: it serves canvas/sample-dashboard.json as dashboard.json, so the app has data to show. */
function sampleDashboard(): Plugin {
  return {
    name: 'sample-dashboard',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use('/dashboard.json', async (_request, response) => {
        response.setHeader('Content-Type', 'application/json')
        response.end(await readFile(new URL('./canvas/sample-dashboard.json', import.meta.url)))
      })
    },
  }
}
