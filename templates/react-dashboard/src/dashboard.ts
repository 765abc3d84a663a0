// The one contract between the two halves of the template: the agent writes this file into its canvas and the React
// app beside it reads it. Change it here and both sides are type-checked against the change.

/** The canvas file the agent writes and the app fetches (relative to the canvas root). */
export const dashboardFile = 'dashboard.json'

/** What the dashboard shows, as the agent last read it from the Agent Data API. */
export interface Dashboard {
  /** When the agent read it (ISO-8601, UTC). */
  readonly generatedAt: string
  readonly group: { readonly name: string; readonly members: readonly Member[] }
  readonly room: { readonly name: string; readonly slug: string }
  /** The group's feed: how many posts in all, and by type (`text`, `image`, `video`, `link`, `file`). */
  readonly posts: { readonly total: number; readonly byType: Readonly<Record<string, number>> }
  /** The room's chat (its main chat and every tab): how many messages, and the latest few, newest first. */
  readonly messages: { readonly total: number; readonly recent: readonly RecentMessage[] }
  /** How many documents (tabs) the room has. */
  readonly documents: number
}

export interface Member {
  readonly displayName: string
  readonly handle: string
  /** `OWNER`, `ADMIN` or `MEMBER`. */
  readonly role: string
}

export interface RecentMessage {
  readonly id: string
  /** The person's display name, or the sender's nick for agents. */
  readonly author: string
  readonly body: string
  readonly at: string
  /** Written in a document's tab rather than the room's main chat. */
  readonly inTab: boolean
}
