import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { FamigliaAgent, type AgentIdentity } from '@famiglia/agent-sdk';

/** A JSON-RPC message as the agent wrote it. */
export interface Line {
  jsonrpc: string;
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { code: number; message: string; data?: Record<string, unknown> };
}

export const identity: AgentIdentity = {
  nick: '@s:test-agent@dev1.localhost',
  room: 'photos.feldmans@conference.dev1.localhost',
  thread: 'clx_doc_key',
  groupId: 'g1',
  roomId: 'r1',
  canvasDirectory: '/canvas',
  workspaceDirectory: '/workspace',
};

/**
 * The harness's side of the protocol, scripted by a test: an agent on in-memory streams, the lines it writes, the
 * lines it logs. Every read waits at most a few seconds, so a missing line fails the test instead of hanging it.
 */
export class HarnessPeer {
  readonly toAgent = new PassThrough();
  readonly fromAgent = new PassThrough();
  readonly log: string[] = [];
  readonly agent: FamigliaAgent;
  readonly #lines: string[] = [];
  readonly #waiters: ((line: string) => void)[] = [];
  #partial = '';

  constructor() {
    this.agent = new FamigliaAgent({ input: this.toAgent, output: this.fromAgent, log: (line) => this.log.push(line) });
    this.fromAgent.setEncoding('utf8');
    this.fromAgent.on('data', (chunk: string) => {
      const parts = (this.#partial + chunk).split('\n');
      this.#partial = parts.pop() ?? '';
      for (const line of parts) {
        const waiter = this.#waiters.shift();
        if (waiter) {
          waiter(line);
        } else {
          this.#lines.push(line);
        }
      }
    });
  }

  /** Starts the agent and answers its `ready` with {@link identity}. */
  async startAgent(): Promise<void> {
    const started = this.agent.start();
    const ready = await this.expectRequest('ready');
    this.answer(ready.id!, identity);
    await started;
  }

  /** The next line the agent wrote, exactly as written (without the newline). */
  readLine(timeoutMs = 5000): Promise<string> {
    const line = this.#lines.shift();
    if (line !== undefined) {
      return Promise.resolve(line);
    }

    return new Promise<string>((resolve, reject) => {
      const waiter = (received: string): void => {
        clearTimeout(timer);
        resolve(received);
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`the agent wrote no line within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  async read(): Promise<Line> {
    return JSON.parse(await this.readLine()) as Line;
  }

  async expectRequest(method: string): Promise<Line> {
    const line = await this.read();
    assert.equal(line.method, method, `expected a ${method} request, got ${JSON.stringify(line)}`);
    assert.equal(line.jsonrpc, '2.0');
    assert.equal(typeof line.id, 'number');
    return line;
  }

  async expectNullResult(id: string | number): Promise<void> {
    assert.deepEqual(await this.read(), { jsonrpc: '2.0', id, result: null });
  }

  /** Asserts the agent writes nothing within a short while. */
  async expectSilence(ms = 200): Promise<void> {
    await assert.rejects(this.readLine(ms), /wrote no line/);
  }

  send(message: object | string): void {
    this.toAgent.write((typeof message === 'string' ? message : JSON.stringify(message)) + '\n');
  }

  answer(id: string | number | null, result: unknown): void {
    this.send({ jsonrpc: '2.0', id, result });
  }

  fail(id: string | number | null, code: number, message: string, data?: object): void {
    this.send({ jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } });
  }

  /** Delivers a chat message as the harness does. */
  message(requestId: string | number, body: string, extra: Record<string, unknown> = {}): void {
    this.send({
      jsonrpc: '2.0',
      id: requestId,
      method: 'message',
      params: {
        id: `stanza-${requestId}`,
        from: '@u:alice@dev1.localhost',
        body,
        thread: identity.thread,
        timestamp: '2026-11-26T09:30:00.000Z',
        room: identity.room,
        ...extra,
      },
    });
  }

  /** The harness's answer to the next request, which must be `method`; returns its params. */
  async answerNext(method: string, result: unknown): Promise<Record<string, unknown>> {
    const request = await this.expectRequest(method);
    this.answer(request.id!, result);
    return request.params ?? {};
  }
}

/** Resolves after the current turn of the event loop, so the agent has read what was sent. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
