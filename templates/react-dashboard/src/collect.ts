import type { AgentDataApi } from '@famiglia/agent-sdk'
import type { Dashboard } from './dashboard.js'

const postTypes = ['text', 'image', 'video', 'link', 'file']
const recentMessages = 8

/**
 * Reads what the dashboard shows through the Agent Data API. The counts come from the pages' `total`s (a page of one
 * post each), so a refresh is ten requests whatever the size of the group: well inside the API's 100 a minute.
 */
export async function readDashboard(api: AgentDataApi): Promise<Dashboard> {
  const [group, room, feed, byType, chat, documents] = await Promise.all([
    api.group(),
    api.room(),
    api.feed({ limit: 1 }),
    Promise.all(postTypes.map(async (type) => [type, (await api.feed({ type, limit: 1 })).total] as const)),
    api.chatHistory({ limit: recentMessages }),
    api.documentsPage(undefined, { limit: 1 }),
  ])

  return {
    generatedAt: new Date().toISOString(),
    group: {
      name: group.name,
      members: group.members.map(({ displayName, handle, role }) => ({ displayName, handle, role })),
    },
    room: { name: room.name, slug: room.slug },
    posts: { total: feed.total, byType: Object.fromEntries(byType) },
    messages: {
      total: chat.total,
      recent: chat.data.map((m) => ({ id: m.id, author: m.author?.displayName ?? nameOfNick(m.authorNick), body: m.body, at: m.createdAt, inTab: m.thread !== null })),
    },
    documents: documents.total,
  }
}

/** An agent's nick as a name (agents have no person behind them): `@s:photo-agent@dev1.localhost` → `photo-agent`. */
function nameOfNick(nick: string): string {
  const name = nick.replace(/^@[a-z]:/, '')
  const at = name.lastIndexOf('@')
  return at > 0 ? name.slice(0, at) : name
}

/**
 * Waits until the room's chat history has the message `stanzaId` (a message's `id` is its archive id): the agent hears
 * a message over XMPP at the moment famiglia-web does, and famiglia-web stores it a moment later. So that a refresh
 * answering a message lists that message. Asks again after 25, 50, 100, 200 and 400 ms (usually the second answer has
 * it) and then gives up (the next refresh shows it): at most six requests, well inside the Data API's 100 a minute.
 */
export async function untilInHistory(api: AgentDataApi, stanzaId: string): Promise<void> {
  for (const pause of [25, 50, 100, 200, 400, null]) {
    const latest = await api.chatHistory({ limit: recentMessages })
    if (latest.data.some((m) => m.stanzaId === stanzaId) || pause === null) {
      return
    }

    await new Promise((resolve) => setTimeout(resolve, pause))
  }
}
