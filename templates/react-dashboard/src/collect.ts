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
      recent: chat.data.map((m) => ({ id: m.id, author: m.author?.displayName ?? m.authorNick, body: m.body, at: m.createdAt, inTab: m.thread !== null })),
    },
    documents: documents.total,
  }
}
