import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes, type AgentMessage } from '@famiglia/agent-sdk';
import { HarnessPeer, identity, settle } from './peer.js';

test('a message runs the handler, then is answered with a null result and the same id', async () => {
  const peer = new HarnessPeer();
  let seen: AgentMessage | undefined;
  peer.agent.onMessage(async (msg) => {
    seen = msg;
  });
  await peer.startAgent();
  peer.message('m-1', 'Build me a photo library');
  await peer.expectNullResult('m-1');
  assert.ok(seen);
  assert.equal(seen.id, 'stanza-m-1');
  assert.equal(seen.from, '@u:alice@dev1.localhost');
  assert.equal(seen.body, 'Build me a photo library');
  assert.equal(seen.thread, 'clx_doc_key');
  assert.equal(seen.room, identity.room);
  assert.equal(seen.timestamp.toISOString(), '2026-11-26T09:30:00.000Z');
});

test('a message with a numeric request id is answered with the same number', async () => {
  const peer = new HarnessPeer();
  peer.agent.onMessage(() => {});
  await peer.startAgent();
  peer.message(42, 'hi');
  await peer.expectNullResult(42);
});

test('a handler that throws is logged, the message is still answered, and the next one is handled', async () => {
  const peer = new HarnessPeer();
  const handled: string[] = [];
  peer.agent.onMessage((msg) => {
    if (msg.body === 'sync boom') {
      throw new Error('sync boom');
    }
  });
  peer.agent.onMessage(async (msg) => {
    await settle();
    if (msg.body === 'async boom') {
      throw new Error('async boom');
    }

    handled.push(msg.body);
  });
  await peer.startAgent();
  peer.message('m-1', 'sync boom');
  await peer.expectNullResult('m-1');
  peer.message('m-2', 'async boom');
  await peer.expectNullResult('m-2');
  peer.message('m-3', 'fine');
  await peer.expectNullResult('m-3');

  // The second handler still saw the message the first one failed on.
  assert.deepEqual(handled, ['sync boom', 'fine']);
  const failures = peer.log.filter((l) => l.includes('message handler failed'));
  assert.equal(failures.length, 2);
  assert.match(failures[0]!, /message stanza-m-1: Error: sync boom/);
  assert.match(failures[1]!, /message stanza-m-2: Error: async boom/);
});

test('a handler that throws something that is not an Error is logged too', async () => {
  const peer = new HarnessPeer();
  peer.agent.onMessage(() => Promise.reject({ reason: 'plain object' }));
  await peer.startAgent();
  peer.message('m-1', 'x');
  await peer.expectNullResult('m-1');
  assert.ok(peer.log.some((l) => l.includes("reason: 'plain object'")));
});

test('a hundred messages are handled one at a time, in order, and answered in order', async () => {
  const peer = new HarnessPeer();
  const order: string[] = [];
  let running = 0;
  let maxRunning = 0;
  peer.agent.onMessage(async (msg) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await settle();
    order.push(msg.body);
    running--;
  });
  await peer.startAgent();
  for (let i = 0; i < 100; i++) {
    peer.message(`m-${i}`, `body ${i}`);
  }

  for (let i = 0; i < 100; i++) {
    await peer.expectNullResult(`m-${i}`);
  }

  assert.equal(maxRunning, 1);
  assert.deepEqual(order, Array.from({ length: 100 }, (_, i) => `body ${i}`));
});

test('the agent never sees its own messages, but they are answered', async () => {
  const peer = new HarnessPeer();
  const bodies: string[] = [];
  peer.agent.onMessage((msg) => void bodies.push(msg.body));
  await peer.startAgent();
  peer.message('m-1', 'my own', { from: identity.nick });
  peer.message('m-2', 'from alice');
  await peer.expectNullResult('m-1');
  await peer.expectNullResult('m-2');
  assert.deepEqual(bodies, ['from alice']);
});

test('messages sent before ready is answered are handled after start', async () => {
  const peer = new HarnessPeer();
  const bodies: string[] = [];
  peer.agent.onMessage((msg) => void bodies.push(msg.body));
  const started = peer.agent.start();
  const ready = await peer.expectRequest('ready');
  peer.message('m-1', 'early');
  await settle();
  assert.deepEqual(bodies, []);
  peer.answer(ready.id!, identity);
  await started;
  await peer.expectNullResult('m-1');
  assert.deepEqual(bodies, ['early']);
});

test('every handler sees every message until it is removed', async () => {
  const peer = new HarnessPeer();
  const first: string[] = [];
  const second: string[] = [];
  peer.agent.onMessage((msg) => void first.push(msg.body));
  const removeSecond = peer.agent.onMessage((msg) => void second.push(msg.body));
  await peer.startAgent();
  peer.message('m-1', 'one');
  await peer.expectNullResult('m-1');
  removeSecond();
  removeSecond();
  peer.message('m-2', 'two');
  await peer.expectNullResult('m-2');
  assert.deepEqual(first, ['one', 'two']);
  assert.deepEqual(second, ['one']);
});

test('a message without a handler is acknowledged unhandled', async () => {
  const peer = new HarnessPeer();
  await peer.startAgent();
  peer.message('m-1', 'hello?');
  await peer.expectNullResult('m-1');
  assert.ok(peer.log.some((l) => l.includes('no message handler registered; message stanza-m-1')));
});

test('a message without a body is refused with invalid params naming the field', async () => {
  const peer = new HarnessPeer();
  peer.agent.onMessage(() => assert.fail('handled an invalid message'));
  await peer.startAgent();
  peer.send({ jsonrpc: '2.0', id: 'm-1', method: 'message', params: { id: 's1', from: '@u:a@x' } });
  const answer = await peer.read();
  assert.equal(answer.id, 'm-1');
  assert.equal(answer.error?.code, ErrorCodes.InvalidParams);
  assert.deepEqual(answer.error?.data, { field: 'body' });
});

test('say sends no thread (the harness uses the agent\'s), announce goes to the main chat', async () => {
  const peer = new HarnessPeer();
  await peer.startAgent();
  const said = peer.agent.say('Found 3 photos!');
  assert.deepEqual(await peer.answerNext('say', { id: 'o1' }), { text: 'Found 3 photos!' });
  assert.equal(await said, 'o1');
  const announced = peer.agent.announce('Hello room');
  assert.deepEqual(await peer.answerNext('announce', { id: 'o2' }), { text: 'Hello room' });
  assert.equal(await announced, 'o2');
});

test('reply answers in the message\'s thread, or in the main chat for a main-chat message', async () => {
  const peer = new HarnessPeer();
  peer.agent.onMessage((msg) => msg.reply(`echo: ${msg.body}`));
  await peer.startAgent();

  peer.message('m-1', 'in a thread', { thread: 'other-doc' });
  assert.deepEqual(await peer.answerNext('say', { id: 'o1' }), { text: 'echo: in a thread', thread: 'other-doc' });
  await peer.expectNullResult('m-1');

  peer.message('m-2', 'in main chat', { thread: null });
  assert.deepEqual(await peer.answerNext('announce', { id: 'o2' }), { text: 'echo: in main chat' });
  await peer.expectNullResult('m-2');
});

test('shutdown aborts stopping, lets the running handler finish and leaves queued messages unanswered', async () => {
  const peer = new HarnessPeer();
  const handled: string[] = [];
  let abortedDuringHandler = false;
  peer.agent.onMessage(async (msg) => {
    handled.push(msg.body);
    if (msg.body === 'slow') {
      // The handler still talks to the harness after shutdown arrived.
      const bumped = await peer.agent.canvas.bumpVersion();
      abortedDuringHandler = peer.agent.stopping.aborted;
      await msg.reply(`done ${bumped}`);
    }
  });
  await peer.startAgent();
  peer.message('m-1', 'slow');
  peer.message('m-2', 'queued');
  const bump = await peer.expectRequest('canvas.bumpVersion');
  peer.send({ jsonrpc: '2.0', method: 'shutdown', params: { graceSeconds: 2 } });
  await settle();
  assert.equal(peer.agent.stopping.aborted, true);
  peer.answer(bump.id!, { version: 5 });
  await peer.answerNext('say', { id: 'o1' });
  await peer.expectNullResult('m-1');
  await peer.agent.stopped;
  assert.equal(abortedDuringHandler, true);
  assert.deepEqual(handled, ['slow']);
  await peer.expectSilence();
  assert.ok(peer.log.some((l) => l.includes('shutdown requested by the harness')));
});

test('shutdown as a request is answered', async () => {
  const peer = new HarnessPeer();
  await peer.startAgent();
  peer.send({ jsonrpc: '2.0', id: 'sd-1', method: 'shutdown', params: {} });
  await peer.expectNullResult('sd-1');
  await peer.agent.stopped;
});

test('the end of stdin stops the agent', async () => {
  const peer = new HarnessPeer();
  await peer.startAgent();
  peer.toAgent.end();
  await peer.agent.stopped;
  assert.equal(peer.agent.stopping.aborted, true);
});

test('stop from inside a handler does not wait for itself, and the message is still answered', async () => {
  const peer = new HarnessPeer();
  let stopReturned = false;
  peer.agent.onMessage(async () => {
    await peer.agent.stop();
    stopReturned = true;
  });
  await peer.startAgent();
  peer.message('m-1', 'stop please');
  await peer.expectNullResult('m-1');
  await peer.agent.stopped;
  assert.equal(stopReturned, true);
});

test('after stop, sending rejects and stop resolves again', async () => {
  const peer = new HarnessPeer();
  await peer.startAgent();
  await peer.agent.stop();
  await peer.agent.stop();
  await assert.rejects(peer.agent.say('too late'), /has stopped/);
  await peer.expectSilence();
});
