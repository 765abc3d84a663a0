import type { AgentDataApi, Post } from '@famiglia/agent-sdk'

const pageSize = 200

/**
 * Whether a message asks for the gallery. In the agent's own tab every message is for it, so mentioning photo(s),
 * gallery or library is enough; in the room's main chat people also talk about photos to each other, so there it
 * takes a request as well (build, make, create, show, update, refresh, generate).
 */
export function wantsGallery(body: string, inMainChat = false): boolean {
  return /\b(photos?|gallery|library)\b/i.test(body) && (!inMainChat || /\b(build|make|create|show|update|refresh|generate)\b/i.test(body))
}

/** Every image post of the group that has media, newest first, read page by page, and how many the feed counts. */
export async function readAllPhotos(api: AgentDataApi): Promise<{ data: Post[]; total: number }> {
  const data: Post[] = []
  const seen = new Set<string>()
  for (let offset = 0; ; ) {
    const page = await api.feed({ type: 'image', limit: pageSize, offset })
    // A post added while paging shifts the pages by one; the set keeps its neighbour from showing twice.
    for (const post of page.data) {
      if (post.media.length > 0 && !seen.has(post.id)) {
        seen.add(post.id)
        data.push(post)
      }
    }

    offset += page.data.length
    if (!page.hasMore || page.data.length === 0) {
      return { data, total: page.total }
    }
  }
}
