import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { identity, type Line } from './peer.js';

/** The fixture agent as a real child process on real pipes, as the harness runs it. */
class AgentProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: string[] = [];
  stderr = '';
  readonly #waiters: ((line: string) => void)[] = [];
  #unread: string[] = [];
  #partial = '';

  constructor() {
    this.child = spawn(process.execPath, [join(__dirname, 'fixtures', 'stdio-agent.js')], { stdio: 'pipe' });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => (this.stderr += chunk));
    this.child.stdout.on('data', (chunk: string) => {
      const parts = (this.#partial + chunk).split('\n');
      this.#partial = parts.pop() ?? '';
      for (const line of parts) {
        this.stdout.push(line);
        const waiter = this.#waiters.shift();
        if (waiter) {
          waiter(line);
        } else {
          this.#unread.push(line);
        }
      }
    });
  }

  async read(): Promise<Line> {
    const line =
      this.#unread.shift() ??
      (await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line from the agent; its stderr:\n${this.stderr}`)), 10_000);
        this.#waiters.push((received) => {
          clearTimeout(timer);
          resolve(received);
        });
      }));
    return JSON.parse(line) as Line;
  }

  send(message: object): void {
    this.child.stdin.write(JSON.stringify(message) + '\n');
  }

  async start(): Promise<void> {
    const ready = await this.read();
    assert.equal(ready.method, 'ready');
    this.send({ jsonrpc: '2.0', id: ready.id, result: identity });
  }

  message(id: string, body: string): void {
    this.send({ jsonrpc: '2.0', id, method: 'message', params: { id: `s-${id}`, from: '@u:bob@dev1.localhost', body, thread: identity.thread } });
  }

  /** After a failed assertion: a child left running would keep the test runner alive. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
    }
  }

  async exitCode(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await once(this.child, 'exit');
      clearTimeout(timer);
    }

    return this.child.exitCode;
  }
}

test('on real stdio: stdout carries only protocol lines, a throwing handler is logged, and shutdown exits 0', { timeout: 60_000 }, async (t) => {
  const agent = new AgentProcess();
  t.after(() => agent.kill());
  await agent.start();

  agent.message('m-1', 'throw');
  assert.deepEqual(await agent.read(), { jsonrpc: '2.0', id: 'm-1', result: null });

  agent.message('m-2', 'hi');
  const say = await agent.read();
  assert.equal(say.method, 'say');
  assert.deepEqual(say.params, { text: 'echo: hi', thread: identity.thread });
  agent.send({ jsonrpc: '2.0', id: say.id, result: { id: 'origin-1' } });
  assert.deepEqual(await agent.read(), { jsonrpc: '2.0', id: 'm-2', result: null });

  // As the harness stops an agent: the notification, then the end of stdin; the agent exits by itself.
  agent.send({ jsonrpc: '2.0', method: 'shutdown', params: { graceSeconds: 2 } });
  agent.child.stdin.end();
  assert.equal(await agent.exitCode(), 0, agent.stderr);

  for (const line of agent.stdout) {
    assert.doesNotThrow(() => JSON.parse(line), `not a protocol line on stdout: ${line}`);
  }

  assert.match(agent.stderr, /famiglia-agent: message handler failed for message s-m-1: Error: the handler exploded/);
  assert.match(agent.stderr, /console\.log from the handler/);
  assert.match(agent.stderr, /a raw stdout write without a newline/);
  assert.match(agent.stderr, /shutdown requested by the harness/);
});

test('on real stdio: the end of stdin alone stops the agent and it exits 0', { timeout: 60_000 }, async (t) => {
  const agent = new AgentProcess();
  t.after(() => agent.kill());
  await agent.start();
  agent.child.stdin.end();
  assert.equal(await agent.exitCode(), 0, agent.stderr);
});
