import { FamigliaAgent, FamigliaAgentError } from '@famiglia/agent-sdk'
import { readDashboard, untilInHistory } from './collect.js'
import { dashboardFile, type Dashboard } from './dashboard.js'
import { installApp } from './install.js'

// The canvas is the React app in canvas/ (built by Vite into dist/canvas). The agent installs it when it starts, and
// keeps dashboard.json beside it up to date: on start, and on every message for it. Bumping the canvas version tells
// open tabs: the room page reloads its canvas, and the app, wherever it is open, fetches dashboard.json again.
const agent = new FamigliaAgent()

/** Reads the dashboard through the Data API and writes it into the canvas as dashboard.json. */
async function writeDashboard(): Promise<Dashboard> {
  const dashboard = await readDashboard(agent.api)
  await agent.canvas.write(dashboardFile, JSON.stringify(dashboard, null, 2))
  return dashboard
}

agent.onMessage(async (msg) => {
  // Every message in its own tab is for the agent. The room's main chat is people talking to each other: there it
  // answers only when the dashboard is named.
  if (msg.thread === null && !/\bdashboard\b/i.test(msg.body)) {
    return
  }

  // A reply announces a dashboard the tab can show: the app is in the canvas first.
  await started
  try {
    // The dashboard's latest messages include the one it answers.
    await untilInHistory(agent.api, msg.id)
    const dashboard = await writeDashboard()
    // Bump first: the tab shows the new numbers while the reply travels.
    await agent.canvas.bumpVersion()
    await msg.reply(
      `Dashboard refreshed: ${dashboard.group.members.length} members, ${dashboard.posts.total} posts, ` +
        `${dashboard.messages.total} messages in #${dashboard.room.slug}.`,
    )
  } catch (error) {
    if (!(error instanceof FamigliaAgentError)) {
      throw error
    }

    await msg.reply(`Sorry, I could not refresh the dashboard: ${error.message}`)
  }
})

// Handlers are registered before start, so no message is missed; they wait for the app to be installed. The data goes
// in first, so the app finds it on its first fetch; one bump shows both.
const started = agent.start().then(async () => {
  try {
    await writeDashboard()
  } catch (error) {
    // The app shows "no data yet" and the next message tries again.
    if (!(error instanceof FamigliaAgentError)) {
      throw error
    }

    console.error(`react-dashboard: could not read the dashboard at start: ${error.message}`)
  }

  await installApp(agent.canvas)
  await agent.canvas.bumpVersion()
})

started.catch((error: unknown) => {
  console.error('react-dashboard: could not start:', error)
  process.exit(1)
})
