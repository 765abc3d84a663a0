import type {
  App,
  AppRecord,
  ChatMessage,
  ChatQuery,
  Document,
  FeedQuery,
  FileResult,
  GroupInfo,
  PageQuery,
  Paginated,
  Post,
  RecordQuery,
  RoomInfo,
} from './types.js';

/** Sends one request to the harness and resolves with its result. */
export type Invoke = <T>(method: string, params: object) => Promise<T>;

/**
 * The Agent Data API (spec §6.2), read-only, reached through the harness (which holds the API key). Failures reject
 * with {@link FamigliaAgentError}: {@link ErrorCodes.DataApiError} with the HTTP `status` and problem `title`.
 */
export interface AgentDataApi {
  /** The agent's group and its members. */
  group(): Promise<GroupInfo>;
  /** The agent's own room. */
  room(): Promise<RoomInfo>;
  /** The rooms of the group, by slug (a page). */
  rooms(query?: PageQuery): Promise<Paginated<RoomInfo>>;
  /** A page of the group's feed, newest first (50 posts of any type by default). Media URLs are canvas-relative
   * (`_media/{id}`). */
  feed(query?: FeedQuery): Promise<Paginated<Post>>;
  /** One post. */
  post(postId: string): Promise<Post>;
  /** The bytes of a media item ({@link MediaInfo.id}); its type is the media's {@link MediaInfo.mime}. Media over
   * about 3 MiB do not fit through the protocol: link them with {@link MediaInfo.url} instead. */
  media(mediaId: string): Promise<Buffer>;
  /** A page of a room's chat history, newest first (the agent's room and the latest 50 messages by default). */
  chatHistory(query?: ChatQuery): Promise<Paginated<ChatMessage>>;
  /** The documents (tabs) of a room, oldest first (the agent's own room when `roomId` is not given). */
  documents(roomId?: string, query?: PageQuery): Promise<Paginated<Document>>;
  /** Full-text search over the group's files (name and content), best match first; `''` lists every file by name. */
  files(query: string, page?: PageQuery): Promise<Paginated<FileResult>>;
  /** The group's apps and their record schemas, oldest first (a page). */
  apps(query?: PageQuery): Promise<Paginated<App>>;
  /** A page of an app's records, oldest first. */
  appRecords(appId: string, query?: RecordQuery): Promise<Paginated<AppRecord>>;
}

export function createDataApi(invoke: Invoke): AgentDataApi {
  return {
    group: async () => invoke<GroupInfo>('api.group', {}),
    room: async () => invoke<RoomInfo>('api.room', {}),
    rooms: async (query) => invoke<Paginated<RoomInfo>>('api.rooms', paging(query)),
    feed: async (query) => invoke<Paginated<Post>>('api.feed', { ...paging(query), ...defined({ type: query?.type }) }),
    post: async (postId) => invoke<Post>('api.post', { postId: required('postId', postId) }),
    media: async (mediaId) => {
      const media = await invoke<{ contentType: string; base64?: string }>('api.media', { mediaId: required('mediaId', mediaId) });
      return Buffer.from(media.base64 ?? '', 'base64');
    },
    chatHistory: async (query) =>
      invoke<Paginated<ChatMessage>>('api.chatHistory', { ...paging(query), ...defined({ roomId: query?.roomId, thread: query?.thread }) }),
    documents: async (roomId, query) => invoke<Paginated<Document>>('api.documents', { ...paging(query), ...defined({ roomId }) }),
    files: async (query, page) => {
      if (typeof query !== 'string') {
        throw new TypeError('files(query) needs a string; an empty one lists every file.');
      }

      return invoke<Paginated<FileResult>>('api.files', { q: query, ...paging(page) });
    },
    apps: async (query) => invoke<Paginated<App>>('api.apps', paging(query)),
    appRecords: async (appId, query) => invoke<Paginated<AppRecord>>('api.appRecords', { appId: required('appId', appId), ...paging(query) }),
  };
}

function paging(query: PageQuery | undefined): object {
  return defined({ limit: query?.limit, offset: query?.offset });
}

/** The members that have a value: absent ones take the harness's (and the API's) defaults. */
function defined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined && value !== null));
}

export function required(name: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${name} must be a non-empty string.`);
  }

  return value;
}
