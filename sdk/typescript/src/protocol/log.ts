import type { Writable } from 'node:stream';
import { inspect } from 'node:util';

/** Where the agent's log lines go: a stream (stderr by default) or a function taking one line. */
export type LogTarget = Writable | ((line: string) => void);

/** The agent's log lines on stderr, which the harness copies into the sandbox log as `[agent] ...`. */
export class AgentLog {
  readonly #write: (line: string) => void;

  constructor(target: LogTarget) {
    this.#write = typeof target === 'function' ? target : (line) => target.write(line + '\n');
  }

  handlerFailed(messageId: string, error: unknown): void {
    this.#line(`message handler failed for message ${messageId}: ${describe(error)}`);
  }

  noHandler(messageId: string): void {
    this.#line(`no message handler registered; message ${messageId} acknowledged unhandled`);
  }

  invalidMessage(reason: string): void {
    this.#line(`refused a message request: ${reason}`);
  }

  shutdownRequested(): void {
    this.#line('shutdown requested by the harness');
  }

  unreadableLine(reason: string): void {
    this.#line(`ignored a line from the harness: ${reason}`);
  }

  unmatchedResponse(id: string): void {
    this.#line(`ignored a response to no pending request (id ${id})`);
  }

  readFailed(error: unknown): void {
    this.#line(`reading from the harness failed: ${message(error)}`);
  }

  writeFailed(error: unknown): void {
    this.#line(`writing to the harness failed: ${message(error)}`);
  }

  #line(text: string): void {
    try {
      // One line per entry: the harness logs each stderr line on its own.
      this.#write('famiglia-agent: ' + text.replace(/\r?\n/g, '\n  '));
    } catch {
      // A closed stderr must not take the agent down.
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : inspect(error);
}
