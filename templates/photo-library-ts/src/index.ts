import { FamigliaAgent, FamigliaAgentError } from '@famiglia/agent-sdk'
import { head, html, reloadScript } from './page.js'
import { readAllPhotos, wantsGallery } from './photos.js'

// Spec §8.1, typed in: asked about photos, the agent builds a gallery of the group's image posts on its canvas.
const agent = new FamigliaAgent()

// React to user messages (received via XMPP MUC)
agent.onMessage(async (msg) => {
  // msg.from: '@u:alice@dev1.localhost'
  // msg.body: 'Build me a photo library from all group photos'
  // msg.thread: 'clx...' (document tab) or null (room chat)
  if (!wantsGallery(msg.body, msg.thread === null)) {
    // The room's main chat is people talking to each other: the agent speaks there only when asked for a
    // gallery. In its own tab every message is for it, so it says what it can do.
    if (msg.thread !== null) {
      await msg.reply("Ask me to build a photo library from the group's photos.")
    }
    return
  }

  try {
    // Read group data via Agent Data API: every image post, page by page
    const photos = await readAllPhotos(agent.api)

    // Update canvas (write files to /canvas → Aegis serves them)
    await agent.canvas.write('index.html', `<!DOCTYPE html>
    <html lang="en">
    <head>${head}</head>
    <body>
      <h1>Photo Library (${photos.total} photos)</h1>
      ${photos.data.length === 0 ? "<p>No photos yet. Post some to the group's feed, then ask me again.</p>" : ''}
      <div class="grid">
        ${photos.data.map(p => `
          <figure><img src="${html(p.media[0].url)}" alt="${html(p.content.text)}" loading="lazy">${p.content.text ? `<figcaption>${html(p.content.text)}</figcaption>` : ''}</figure>
        `).join('')}
      </div>
      ${reloadScript}
    </body>
    </html>
  `)
    // Bump first: the tab reloads while the reply travels, so the gallery is there when the user reads it.
    await agent.canvas.bumpVersion()

    // Respond in chat (via XMPP), where the message was written
    await msg.reply(`Found ${photos.total} photos! Gallery is ready.`)
  } catch (error) {
    if (!(error instanceof FamigliaAgentError)) {
      throw error
    }

    await msg.reply(`Sorry, I could not build the gallery: ${error.message}`)
  }
})

agent.start()
