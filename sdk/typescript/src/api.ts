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
  /** Every room of the group, by slug (spec §8.2; every page fetched, one Data API request per 200). */
  rooms(): Promise<RoomInfo[]>;
  /** One page of {@link rooms}. */
  roomsPage(query?: PageQuery): Promise<Paginated<RoomInfo>>;
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
  /** Every document (tab) of a room, oldest first (the agent's own room when `roomId` is not given). */
  documents(roomId?: string): Promise<Document[]>;
  /** One page of {@link documents}. */
  documentsPage(roomId?: string, query?: PageQuery): Promise<Paginated<Document>>;
  /** Full-text search over the group's files (name and content), best match first; `''` lists every file by name.
   * Every match: use {@link filesPage} for the first few of a broad search. */
  files(query: string): Promise<FileResult[]>;
  /** One page of {@link files}. */
  filesPage(query: string, page?: PageQuery): Promise<Paginated<FileResult>>;
  /** The group's apps and their record schemas, oldest first. */
  apps(): Promise<App[]>;
  /** One page of {@link apps}. */
  appsPage(query?: PageQuery): Promise<Paginated<App>>;
  /** A page of an app's records, oldest first. */
  appRecords(appId: string, query?: RecordQuery): Promise<Paginated<AppRecord>>;
}

export function createDataApi(invoke: Invoke): AgentDataApi {
  const roomsPage = async (query?: PageQuery) => invoke<Paginated<RoomInfo>>('api.rooms', paging(query));
  const documentsPage = async (roomId?: string, query?: PageQuery) =>
    invoke<Paginated<Document>>('api.documents', { ...paging(query), ...defined({ roomId }) });
  const filesPage = async (query: string, page?: PageQuery) => {
    if (typeof query !== 'string') {
      throw new TypeError('files(query) needs a string; an empty one lists every file.');
    }

    return invoke<Paginated<FileResult>>('api.files', { q: query, ...paging(page) });
  };
  const appsPage = async (query?: PageQuery) => invoke<Paginated<App>>('api.apps', paging(query));
  return {
    group: async () => invoke<GroupInfo>('api.group', {}),
    room: async () => invoke<RoomInfo>('api.room', {}),
    rooms: async () => everyPage((page) => roomsPage(page)),
    roomsPage,
    feed: async (query) => invoke<Paginated<Post>>('api.feed', { ...paging(query), ...defined({ type: query?.type }) }),
    post: async (postId) => invoke<Post>('api.post', { postId: required('postId', postId) }),
    media: async (mediaId) => {
      const media = await invoke<{ contentType: string; base64?: string }>('api.media', { mediaId: required('mediaId', mediaId) });
      return Buffer.from(media.base64 ?? '', 'base64');
    },
    chatHistory: async (query) =>
      invoke<Paginated<ChatMessage>>('api.chatHistory', { ...paging(query), ...defined({ roomId: query?.roomId, thread: query?.thread }) }),
    documents: async (roomId) => everyPage((page) => documentsPage(roomId, page)),
    documentsPage,
    files: async (query) => {
      if (typeof query !== 'string') {
        throw new TypeError('files(query) needs a string; an empty one lists every file.');
      }

      return everyPage((page) => filesPage(query, page));
    },
    filesPage,
    apps: async () => everyPage((page) => appsPage(page)),
    appsPage,
    appRecords: async (appId, query) => invoke<Paginated<AppRecord>>('api.appRecords', { appId: required('appId', appId), ...paging(query) }),
  };
}

/** The largest page the Data API gives (spec §6.2: default 50, max 200). */
const LargestPage = 200;

/** Every item, page after page, until the API says there is no more. */
async function everyPage<T>(fetch: (page: PageQuery) => Promise<Paginated<T>>): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const page = await fetch({ limit: LargestPage, offset: items.length });
    items.push(...page.data);
    if (!page.hasMore || page.data.length === 0) {
      return items;
    }
  }
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
