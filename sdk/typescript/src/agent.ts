import { AsyncLocalStorage } from 'node:async_hooks';
import { Writable, type Readable } from 'node:stream';
import { createDataApi, type AgentDataApi } from './api.js';
import { createCanvas, type AgentCanvas } from './canvas.js';
import { ErrorCodes } from './errors.js';
import type { AgentMessage } from './message.js';
import { JsonRpcConnection, type IncomingRequest, type RequestId } from './protocol/connection.js';
import { AgentLog, type LogTarget } from './protocol/log.js';
import type { AgentIdentity } from './types.js';

/** Where an agent reads and writes protocol lines and logs; the process's stdin, stdout and stderr by default. */
export interface FamigliaAgentOptions {
  /** Lines from the harness (the agent's stdin). */
  readonly input?: Readable;
  /** Lines to the harness (the agent's stdout); the agent writes nothing else to it. */
  readonly output?: Writable;
  /** Where log lines go: a stream or a function taking one line; stderr by default. */
  readonly log?: LogTarget;
}

/** Handles one chat message; may be async (the agent awaits what it returns). What it throws is logged, never fatal. */
export type MessageHandler = (msg: AgentMessage) => unknown;

interface Delivery {
  readonly requestId: RequestId;
  readonly message: AgentMessage;
}

// Set while an agent runs a message handler, where awaiting the stop would wait for itself.
const dispatching = new AsyncLocalStorage<FamigliaAgent>();

// The real process.stdout.write, kept when the first agent on process stdio sends console output to stderr.
let stdoutWrite: Writable['write'] | undefined;

/**
 * A Famiglia agent: speaks the harness's JSON-RPC protocol (docs/agent-protocol.md) on stdin/stdout and gives the agent
 * chat ({@link say}, {@link announce}, {@link onMessage}), the Agent Data API ({@link api}) and the canvas
 * ({@link canvas}).
 *
 * @example
 * const agent = new FamigliaAgent()
 * agent.onMessage((msg) => msg.reply(`echo: ${msg.body}`))
 * agent.start()
 */
export class FamigliaAgent {
  /** What the SDK tells the harness in `ready`. */
  static readonly sdkName = 'famiglia-typescript/1.0';

  /** The Agent Data API (group, rooms, feed, media, chat history, documents, files, apps). */
  readonly api: AgentDataApi;
  /** The agent's canvas (files served as the agent's tab). */
  readonly canvas: AgentCanvas;

  readonly #connection: JsonRpcConnection;
  readonly #log: AgentLog;
  readonly #ownsStdin: boolean;
  readonly #inbox: Delivery[] = [];
  readonly #stopping = new AbortController();
  readonly #stopped: Promise<void>;
  #markStopped: () => void = () => {};
  #handlers: readonly MessageHandler[] = [];
  #inboxClosed = false;
  #wakeDispatcher: (() => void) | undefined;
  #identity: AgentIdentity | undefined;
  #started = false;
  #dispatchLoop: Promise<void> = Promise.resolve();
  #stop: Promise<void> | undefined;

  /**
   * Creates an agent on the process's stdin and stdout (logging to stderr), or on the given streams (for hosting and
   * tests; the agent does not close them). On the process's stdout, which carries the protocol, the agent also sends
   * everything else written there (`console.log`, `process.stdout.write`) to stderr, so a stray log line ends up in the
   * log instead of corrupting a protocol line.
   */
  constructor(options: FamigliaAgentOptions = {}) {
    this.#log = new AgentLog(options.log ?? process.stderr);
    this.#ownsStdin = options.input === undefined;
    const output = options.output ?? stdoutForProtocol();
    this.#connection = new JsonRpcConnection(
      options.input ?? process.stdin,
      output,
      this.#log,
      (request) => this.#onRequest(request),
      () => void this.stop(),
    );
    this.#stopped = new Promise<void>((resolve) => (this.#markStopped = resolve));
    const invoke = <T>(method: string, params: object): Promise<T> => this.#invoke<T>(method, params);
    this.api = createDataApi(invoke);
    this.canvas = createCanvas(invoke);
  }

  /** Who the agent is, as the harness answered `ready`. Throws until {@link start} has resolved. */
  get identity(): AgentIdentity {
    if (this.#identity === undefined) {
      throw new Error('The identity is known once start() has resolved.');
    }

    return this.#identity;
  }

  /** Aborted when the agent stops: the harness sent `shutdown`, closed stdin, or {@link stop} was called. Pass it to
   * long work in handlers (`fetch(url, { signal: agent.stopping })`) so they finish early. */
  get stopping(): AbortSignal {
    return this.#stopping.signal;
  }

  /** Resolves when the agent has stopped: the running handler finished and the answers are written. */
  get stopped(): Promise<void> {
    return this.#stopped;
  }

  /**
   * Adds a handler for chat messages. Register handlers before {@link start}: messages that arrive while none is
   * registered are acknowledged unhandled. Messages are handled one at a time, in room order; with several handlers each
   * message goes to each in registration order. When the handlers are done the message is acknowledged, also when one
   * threw: the error is logged to stderr, never fatal. The agent's own messages never reach a handler.
   *
   * @returns A function that removes the handler.
   */
  onMessage(handler: MessageHandler): () => void {
    if (typeof handler !== 'function') {
      throw new TypeError('onMessage needs a function.');
    }

    this.#handlers = [...this.#handlers, handler];
    let removed = false;
    return () => {
      if (!removed) {
        removed = true;
        const index = this.#handlers.indexOf(handler);
        this.#handlers = this.#handlers.filter((_, i) => i !== index);
      }
    };
  }

  /** Sends a message into the agent's document thread (or the room's main chat when it has none). Resolves with the
   * message's origin-id. */
  say(text: string): Promise<string> {
    return this.#send('say', text);
  }

  /** Sends a message into the room's main chat. Resolves with the message's origin-id. */
  announce(text: string): Promise<string> {
    return this.#send('announce', text);
  }

  /**
   * Sends `ready`, stores the answer as {@link identity} and starts handling messages. The agent then runs until the
   * harness sends `shutdown` or closes stdin (or {@link stop} is called): it finishes the running handler, writes the
   * answers and stops reading stdin, so the process exits by itself when nothing else keeps it alive.
   */
  async start(): Promise<void> {
    if (this.#started) {
      throw new Error('The agent can be started only once.');
    }

    this.#started = true;
    this.#connection.start();
    this.#identity = await this.#connection.invoke<AgentIdentity>('ready', { sdk: FamigliaAgent.sdkName });
    this.#dispatchLoop = this.#dispatch();
  }

  /**
   * Stops the agent: no new message is handled (unanswered ones go to the next agent process), the running handler is
   * awaited, and the queued answers are written. Called again, it resolves with the same stop. Called from inside a
   * message handler, it only requests the stop (waiting there would wait for itself).
   */
  stop(): Promise<void> {
    if (this.#stop === undefined) {
      this.#closeInbox();
      this.#stop = this.#stopCore();
    }

    return dispatching.getStore() === this ? Promise.resolve() : this.#stop;
  }

  async #send(method: 'say' | 'announce', text: string, thread?: string): Promise<string> {
    if (typeof text !== 'string') {
      throw new TypeError(`${method} needs a string.`);
    }

    const params = thread === undefined ? { text } : { text, thread };
    return (await this.#invoke<{ id: string }>(method, params)).id;
  }

  async #invoke<T>(method: string, params: object): Promise<T> {
    if (this.#identity === undefined) {
      throw new Error('Start the agent (start()) before talking to the harness.');
    }

    return this.#connection.invoke<T>(method, params);
  }

  // Runs on the read side: must be quick and never throw.
  #onRequest(request: IncomingRequest): void {
    try {
      switch (request.method) {
        case 'message':
          this.#onMessageRequest(request);
          break;
        case 'shutdown':
          this.#log.shutdownRequested();
          void this.stop();
          if (request.id !== undefined) {
            this.#connection.sendResult(request.id);
          }

          break;
        default:
          if (request.id !== undefined) {
            this.#connection.sendError(request.id, ErrorCodes.MethodNotFound, `The agent has no method '${request.method}'.`);
          }
      }
    } catch {
      // Stopped: the answer cannot be sent, and an unanswered message goes to the next agent process.
    }
  }

  #onMessageRequest(request: IncomingRequest): void {
    const p = typeof request.params === 'object' && request.params !== null ? (request.params as Record<string, unknown>) : undefined;
    const missing =
      p === undefined ? 'params'
      : typeof p['id'] !== 'string' ? 'id'
      : typeof p['from'] !== 'string' ? 'from'
      : typeof p['body'] !== 'string' ? 'body'
      : undefined;
    if (request.id === undefined || p === undefined || missing !== undefined) {
      this.#log.invalidMessage(request.id === undefined ? 'not a request (no id)' : `missing or invalid '${missing}'`);
      if (request.id !== undefined) {
        this.#connection.sendError(request.id, ErrorCodes.InvalidParams, `The message has no valid '${missing}'.`, missing);
      }

      return;
    }

    if (this.#inboxClosed) {
      return;
    }

    const thread = typeof p['thread'] === 'string' ? p['thread'] : null;
    const message: AgentMessage = Object.freeze({
      id: p['id'] as string,
      from: p['from'] as string,
      body: p['body'] as string,
      thread,
      timestamp: new Date(typeof p['timestamp'] === 'string' ? p['timestamp'] : 0),
      room: typeof p['room'] === 'string' ? p['room'] : '',
      reply: (text: string) => (thread === null ? this.announce(text) : this.#send('say', text, thread)),
      toString: () => `${p['from']}: ${p['body']}`,
    });
    this.#inbox.push({ requestId: request.id, message });
    this.#wake();
  }

  async #dispatch(): Promise<void> {
    for (let delivery = await this.#next(); delivery !== undefined; delivery = await this.#next()) {
      if (this.#stopping.signal.aborted) {
        return;
      }

      const message = delivery.message;
      await dispatching.run(this, () => this.#handle(message));
      try {
        this.#connection.sendResult(delivery.requestId);
      } catch {
        return;
      }
    }
  }

  async #handle(message: AgentMessage): Promise<void> {
    // The harness never delivers the agent's own messages; this guards against a harness that does.
    if (message.from === this.#identity?.nick) {
      return;
    }

    const handlers = this.#handlers;
    if (handlers.length === 0) {
      this.#log.noHandler(message.id);
    }

    for (const handler of handlers) {
      try {
        await handler(message);
      } catch (error) {
        this.#log.handlerFailed(message.id, error);
      }
    }
  }

  async #next(): Promise<Delivery | undefined> {
    while (this.#inbox.length === 0) {
      if (this.#inboxClosed) {
        return undefined;
      }

      await new Promise<void>((resolve) => (this.#wakeDispatcher = resolve));
    }

    return this.#inbox.shift();
  }

  #wake(): void {
    const wake = this.#wakeDispatcher;
    this.#wakeDispatcher = undefined;
    wake?.();
  }

  // Shutdown, end of stdin, or stop(): the first one wins, the others find it done.
  #closeInbox(): void {
    this.#inboxClosed = true;
    this.#wake();
    this.#stopping.abort();
  }

  async #stopCore(): Promise<void> {
    // A handler awaiting the harness still gets its answers: the output closes only after it returns.
    await this.#dispatchLoop;
    await this.#connection.complete();
    this.#connection.stopReading();
    if (this.#ownsStdin) {
      process.stdin.destroy();
    }

    this.#markStopped();
  }
}

/** process.stdout for the protocol; everything else written to it goes to stderr from now on. */
function stdoutForProtocol(): Writable {
  const stdout = process.stdout;
  if (stdoutWrite === undefined) {
    stdoutWrite = stdout.write.bind(stdout) as Writable['write'];
    const stderr = process.stderr;
    stdout.write = stderr.write.bind(stderr) as typeof stdout.write;
    // A closed pipe (EPIPE) reaches the protocol writer through the write callback; unhandled here it would kill the process.
    stdout.on('error', () => {});
  }

  const write = stdoutWrite;
  return new Writable({
    decodeStrings: false,
    write: (chunk: string | Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void) => {
      write(chunk, encoding, (error) => callback(error));
    },
  });
}
