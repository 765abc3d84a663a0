// The Agent Data API's JSON (spec §6.2) as the harness passes it on: unchanged, except that every media `url` is the
// canvas-relative `_media/{id}`. Timestamps are ISO-8601 strings; enum-like values are strings, so a newer value does
// not break an older agent.

/** Who the agent is, as the harness answers `ready`. */
export interface AgentIdentity {
  /** The agent's nick in the room (`@s:photo-agent@dev1.localhost`); its own messages carry it. */
  readonly nick: string;
  /** The room's MUC address (`photos.feldmans@conference.dev1.localhost`). */
  readonly room: string;
  /** The agent's document thread (its document's CRDT key), or null when it has none. */
  readonly thread: string | null;
  /** The Famiglia group the agent belongs to. */
  readonly groupId: string;
  /** The Famiglia room the agent lives in. */
  readonly roomId: string;
  /** The directory the canvas server serves (`/canvas`); write through {@link FamigliaAgent.canvas}. */
  readonly canvasDirectory: string;
  /** The agent's persistent working directory (`/workspace`). */
  readonly workspaceDirectory: string;
}

/** One page of a Data API list: page on with `offset += data.length` while {@link hasMore}. */
export interface Paginated<T> {
  readonly data: T[];
  /** How many items the whole list has. */
  readonly total: number;
  /** Whether items follow this page. */
  readonly hasMore: boolean;
}

/** A person as agents see them. */
export interface UserInfo {
  readonly id: string;
  /** The local part of their XMPP address. */
  readonly handle: string;
  readonly displayName: string;
}

/** A member of the group. */
export interface MemberInfo {
  readonly userId: string;
  readonly handle: string;
  readonly displayName: string;
  /** `OWNER`, `ADMIN` or `MEMBER`. */
  readonly role: string;
  readonly joinedAt: string;
}

/** The agent's group and its members (`api.group`). */
export interface GroupInfo {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly createdAt: string;
  readonly members: MemberInfo[];
}

/** A room of the group (`api.room`, `api.rooms`). */
export interface RoomInfo {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  /** `PUBLIC` or `PARTICIPANTS_ONLY`. */
  readonly visibility: string;
  /** The room's MUC address. */
  readonly mucJid: string;
  readonly createdAt: string;
  readonly participants: UserInfo[];
}

/** A media item of a post. */
export interface MediaInfo {
  /** The media id, for {@link AgentDataApi.media}. */
  readonly id: string;
  /** The content type, for instance `image/png`. */
  readonly mime: string;
  readonly size: number;
  readonly width: number | null;
  readonly height: number | null;
  /** The canvas-relative `_media/{id}` the canvas server proxies: use it as `<img src>` in a page at the canvas root
   * (`../_media/{id}` from a sub-directory). */
  readonly url: string;
}

/** What a post says. */
export interface PostContent {
  readonly text: string | null;
  /** For link posts, the link. */
  readonly linkUrl: string | null;
}

/** A feed post (`api.feed`, `api.post`). */
export interface Post {
  readonly id: string;
  /** `text`, `image`, `video`, `link` or `file`. */
  readonly type: string;
  readonly content: PostContent;
  readonly author: UserInfo;
  /** The post's media; empty for posts without media. */
  readonly media: MediaInfo[];
  readonly createdAt: string;
}

/** A message of a room's chat history (`api.chatHistory`). */
export interface ChatMessage {
  readonly id: string;
  readonly roomId: string;
  /** The person who wrote it; null for agents and unknown senders. */
  readonly author: UserInfo | null;
  readonly authorNick: string;
  readonly body: string;
  /** The document thread, or null for the room's main chat. */
  readonly thread: string | null;
  /** The room archive's id of the message, when known. */
  readonly stanzaId: string | null;
  readonly createdAt: string;
}

/** A room document, shown as a tab (`api.documents`). */
export interface Document {
  readonly id: string;
  readonly roomId: string;
  /** `EDITOR`, `APP` or `AGENT`. */
  readonly type: string;
  readonly title: string;
  /** The document's key, which is also its chat thread. */
  readonly crdtKey: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A file of the group with its text (`api.files`). */
export interface FileResult {
  readonly id: string;
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  readonly roomId: string | null;
  /** The file's extracted text. */
  readonly text: string;
  /** For a search, the matching passage with the match in [brackets]. */
  readonly snippet: string | null;
  readonly createdAt: string;
}

/** An app of the group and the JSON Schema of its records (`api.apps`). */
export interface App {
  /** The app's id, for {@link AgentDataApi.appRecords}. */
  readonly id: string;
  readonly name: string;
  /** The document (tab) the app lives in, if any. */
  readonly documentId: string | null;
  /** The JSON Schema of the app's records. */
  readonly schema: unknown;
  readonly createdAt: string;
}

/** One record of an app (`api.appRecords`). */
export interface AppRecord {
  readonly id: string;
  readonly appId: string;
  /** The record, shaped by the app's {@link App.schema}. */
  readonly data: unknown;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Page size (50 by default, at most 200) and how many items to skip. */
export interface PageQuery {
  readonly limit?: number;
  readonly offset?: number;
}

/** Filters and pages {@link AgentDataApi.feed}, newest first. */
export interface FeedQuery extends PageQuery {
  /** Only posts of this type: `text`, `image`, `video`, `link` or `file`. */
  readonly type?: string;
}

/** Chooses the room and page of {@link AgentDataApi.chatHistory}, newest first. */
export interface ChatQuery extends PageQuery {
  /** The room whose history to read; the agent's own room by default. */
  readonly roomId?: string;
  /** Only this document's chat (e.g. {@link AgentIdentity.thread}); every message of the room by default. */
  readonly thread?: string;
}

/** Pages {@link AgentDataApi.appRecords}, oldest first. */
export type RecordQuery = PageQuery;
