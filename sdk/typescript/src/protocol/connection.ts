import type { Readable, Writable } from 'node:stream';
import { ErrorCodes, FamigliaAgentError, HarnessClosedError } from '../errors.js';
import type { AgentLog } from './log.js';

/** A request id as the sender chose it: the harness uses strings (`m-17`), the SDK numbers. */
export type RequestId = string | number;

/** A request or notification from the harness. */
export interface IncomingRequest {
  readonly method: string;
  /** Absent for a notification. */
  readonly id: RequestId | undefined;
  readonly params: unknown;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/**
 * JSON-RPC 2.0 over newline-delimited JSON (docs/agent-protocol.md). Every line is written with one `write` call, so
 * lines never interleave; the read side splits the input at `\n` bytes, hands requests and notifications to the
 * owner and matches responses to pending requests by id.
 */
export class JsonRpcConnection {
  /** The harness restarts an agent that sends a longer line, so the SDK refuses to send one. */
  static readonly maxLineBytes = 4 * 1024 * 1024;

  readonly #input: Readable;
  readonly #output: Writable;
  readonly #log: AgentLog;
  readonly #onRequest: (request: IncomingRequest) => void;
  readonly #onInputClosed: () => void;
  readonly #pending = new Map<number, Pending>();
  #partial: Buffer[] = [];
  #lastId = 0;
  #inputClosed = false;
  #outputClosed = false;
  #lastWrite: Promise<void> = Promise.resolve();

  readonly #onData = (chunk: Buffer | string): void => this.#read(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  readonly #onEnd = (): void => this.#closeInput();
  readonly #onReadError = (error: unknown): void => {
    this.#log.readFailed(error);
    this.#closeInput();
  };
  readonly #onWriteError = (error: unknown): void => this.#failOutput(error);

  constructor(input: Readable, output: Writable, log: AgentLog, onRequest: (request: IncomingRequest) => void, onInputClosed: () => void) {
    this.#input = input;
    this.#output = output;
    this.#log = log;
    this.#onRequest = onRequest;
    this.#onInputClosed = onInputClosed;
  }

  start(): void {
    this.#output.on('error', this.#onWriteError);
    this.#input.on('data', this.#onData);
    this.#input.on('end', this.#onEnd);
    this.#input.on('close', this.#onEnd);
    this.#input.on('error', this.#onReadError);
    this.#input.resume();
  }

  /** Sends a request and resolves with its result; rejects with {@link FamigliaAgentError} when the harness answers
   * with an error, with {@link HarnessClosedError} when the connection ends first. */
  invoke<T>(method: string, params: object): Promise<T> {
    if (this.#outputClosed) {
      return Promise.reject(stoppedError());
    }

    if (this.#inputClosed) {
      return Promise.reject(new HarnessClosedError());
    }

    const id = ++this.#lastId;
    let line: string;
    try {
      line = frame({ jsonrpc: '2.0', id, method, params });
    } catch (error) {
      return Promise.reject(error);
    }

    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      this.#write(line);
    });
  }

  sendResult(id: RequestId): void {
    this.#send(frame({ jsonrpc: '2.0', id, result: null }));
  }

  sendError(id: RequestId, code: number, message: string, field?: string): void {
    const error = field === undefined ? { code, message } : { code, message, data: { field } };
    this.#send(frame({ jsonrpc: '2.0', id, error }));
  }

  /** Stops accepting lines and resolves when the ones already written have been handed to the output. */
  complete(): Promise<void> {
    this.#outputClosed = true;
    return this.#lastWrite;
  }

  /** Stops reading: the listeners come off the input, so an otherwise idle process can exit. */
  stopReading(): void {
    this.#input.off('data', this.#onData);
    this.#input.off('end', this.#onEnd);
    this.#input.off('close', this.#onEnd);
    this.#input.pause();
    this.#closeInput();
    // A late error from either stream must not be unhandled (it would kill the process).
    this.#input.on('error', () => {});
  }

  #send(line: string): void {
    if (this.#outputClosed) {
      throw stoppedError();
    }

    this.#write(line);
  }

  #write(line: string): void {
    const previous = this.#lastWrite;
    this.#lastWrite = new Promise<void>((resolve) => {
      this.#output.write(line, (error) => {
        if (error) {
          this.#failOutput(error);
        }

        resolve();
      });
    }).then(() => previous);
  }

  #read(chunk: Buffer): void {
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end >= 0; end = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, end);
      const line = this.#partial.length === 0 ? piece : Buffer.concat([...this.#partial, piece]);
      this.#partial = [];
      start = end + 1;
      this.#processLine(line);
    }

    if (start < chunk.length) {
      this.#partial.push(chunk.subarray(start));
    }
  }

  #processLine(bytes: Buffer): void {
    const text = bytes.toString('utf8').replace(/\r$/, '');
    if (text.length === 0) {
      return;
    }

    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (error) {
      this.#log.unreadableLine(error instanceof Error ? error.message : 'not JSON');
      return;
    }

    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.#log.unreadableLine('not a JSON object');
      return;
    }

    const { id, method, params, result, error } = message as Record<string, unknown>;
    const requestId = typeof id === 'string' || typeof id === 'number' ? id : undefined;
    if (typeof method === 'string') {
      this.#onRequest({ method, id: requestId, params });
      return;
    }

    const pending = typeof id === 'number' ? this.#pending.get(id) : undefined;
    if (pending === undefined) {
      // Also a late answer to a request the agent no longer waits for; harmless either way.
      this.#log.unmatchedResponse(JSON.stringify(id ?? null));
      return;
    }

    this.#pending.delete(id as number);
    if (typeof error === 'object' && error !== null) {
      pending.reject(toError(error as Record<string, unknown>));
    } else if (result === undefined || result === null) {
      pending.reject(new FamigliaAgentError(ErrorCodes.InternalError, 'The harness answered without a result.'));
    } else {
      pending.resolve(result);
    }
  }

  #closeInput(): void {
    if (this.#inputClosed) {
      return;
    }

    this.#inputClosed = true;
    this.#partial = [];
    this.#failPending(new HarnessClosedError());
    this.#onInputClosed();
  }

  #failOutput(error: unknown): void {
    if (!this.#outputClosed) {
      this.#log.writeFailed(error);
    }

    this.#outputClosed = true;
    this.#failPending(new HarnessClosedError('Writing to the harness failed.', { cause: error }));
  }

  #failPending(error: Error): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const request of pending) {
      request.reject(error);
    }
  }
}

function frame(message: object): string {
  // JSON.stringify escapes control characters, so a message never contains a raw newline.
  const line = JSON.stringify(message);
  const bytes = Buffer.byteLength(line, 'utf8');
  if (bytes > JsonRpcConnection.maxLineBytes) {
    throw new FamigliaAgentError(
      ErrorCodes.InvalidRequest,
      `The request is ${bytes} bytes of JSON; the protocol allows at most ${JsonRpcConnection.maxLineBytes} per line.`,
    );
  }

  return line + '\n';
}

function stoppedError(): Error {
  return new Error('The agent has stopped: nothing more can be sent to the harness.');
}

function toError(error: Record<string, unknown>): FamigliaAgentError {
  const data = typeof error['data'] === 'object' && error['data'] !== null ? (error['data'] as Record<string, unknown>) : {};
  const details: { field?: string; status?: number; title?: string } = {};
  if (typeof data['field'] === 'string') {
    details.field = data['field'];
  }

  if (typeof data['status'] === 'number') {
    details.status = data['status'];
  }

  if (typeof data['title'] === 'string') {
    details.title = data['title'];
  }

  return new FamigliaAgentError(
    typeof error['code'] === 'number' ? error['code'] : 0,
    typeof error['message'] === 'string' ? error['message'] : 'The harness answered with an error.',
    details,
  );
}
