import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes, FamigliaAgent, FamigliaAgentError, HarnessClosedError } from '@famiglia/agent-sdk';
import { HarnessPeer, identity, settle } from './peer.js';

test('start sends ready with the SDK name and stores the identity', async () => {
  const peer = new HarnessPeer();
  const started = peer.agent.start();
  const ready = await peer.expectRequest('ready');
  assert.deepEqual(ready.params, { sdk: 'famiglia-typescript/1.0' });
  assert.equal(FamigliaAgent.sdkName, 'famiglia-typescript/1.0');
  peer.answer(ready.id!, { ...identity, extra: 'ignored' });
  await started;
  assert.equal(peer.agent.identity.nick, identity.nick);
  assert.equal(peer.agent.identity.thread, 'clx_doc_key');
  assert.equal(peer.agent.identity.canvasDirectory, '/canvas');
});

test('identity before start throws, and so does talking to the harness', async () => {
  const peer = new HarnessPeer();
  assert.throws(() => peer.agent.identity, /start\(\)/);
  await assert.rejects(peer.agent.say('hi'), /Start the agent/);
  await assert.rejects(peer.agent.api.group(), /Start the agent/);
});

test('start twice rejects', async () => {
  const peer = new HarnessPeer();
  await peer.startAgent();
  await assert.rejects(peer.agent.start(), /only once/);
});

test('start rejects when stdin ends before ready is answered', async () => {
  const peer = new HarnessPeer();
  const started = peer.agent.start();
  await peer.expectRequest('ready');
  peer.toAgent.end();
  await assert.rejects(started, HarnessClosedError);
  await peer.agent.stopped;
});

test('responses out of order are matched by id', async () => {
  const peer = new HarnessPeer();
  await peer.startAgent();
  const first = peer.agent.canvas.bumpVersion();
  const second = peer.agent.say('two');
  const bump = await peer.expectRequest('canvas.bumpVersion');
  const say = await peer.expectRequest('say');
  assert.notEqual(bump.id, say.id);
  peer.answer(say.id!, { id: 'origin-2' });
  peer.answer(bump.id!, { version: 7 });
  assert.equal(await second, 'origin-2');
  assert.equal(await first, 7);
});

test('an unknown request is answered with method-not-found and an unknown notification is ignored', async () => {
  const peer = new HarnessPeer();
  await peer.startAgent();
  peer.send({ jsonrpc: '2.0', method: 'future.notification', params: {} });
  peer.send({ jsonrpc: '2.0', id: 'x-1', method: 'future.request', params: {} });
  const answer = await peer.read();
  assert.equal(answer.id, 'x-1');
  assert.equal(answer.error?.code, ErrorCodes.MethodNotFound);
  await peer.expectSilence();
});

test('lines that are not JSON objects are logged and skipped; CRLF, split lines and split UTF-8 are read', async () => {
  const peer = new HarnessPeer();
  const bodies: string[] = [];
  peer.agent.onMessage((msg) => void bodies.push(msg.body));
  await peer.startAgent();
  peer.send('this is not json');
  peer.send('[1,2,3]');
  peer.send('');
  const line = Buffer.from(
    JSON.stringify({ jsonrpc: '2.0', id: 'm-1', method: 'message', params: { id: 's1', from: '@u:a@x', body: 'ciao 👋 città', thread: null } }) + '\r\n',
    'utf8',
  );
  // Split inside the four bytes of the emoji.
  const cut = line.indexOf(Buffer.from('👋')) + 2;
  peer.toAgent.write(line.subarray(0, cut));
  await settle();
  peer.toAgent.write(line.subarray(cut));
  await peer.expectNullResult('m-1');
  assert.deepEqual(bodies, ['ciao 👋 città']);
  assert.equal(peer.log.filter((l) => l.includes('ignored a line from the harness')).length, 2);
});

test('a request longer than the line limit is refused without sending anything', async () => {
  const peer = new HarnessPeer();
  await peer.startAgent();
  const error = await peer.agent.canvas.write('big.html', 'x'.repeat(4 * 1024 * 1024)).then(
    () => assert.fail('the write was sent'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof FamigliaAgentError);
  assert.equal(error.code, ErrorCodes.InvalidRequest);
  await peer.expectSilence();
  const bump = peer.agent.canvas.bumpVersion();
  await peer.answerNext('canvas.bumpVersion', { version: 2 });
  assert.equal(await bump, 2);
});

test('an answer without a result fails with an internal error', async () => {
  const peer = new HarnessPeer();
  await peer.startAgent();
  const said = peer.agent.say('hi');
  const request = await peer.expectRequest('say');
  peer.send({ jsonrpc: '2.0', id: request.id });
  await assert.rejects(said, (e: unknown) => e instanceof FamigliaAgentError && e.code === ErrorCodes.InternalError);
});

test('an error answer becomes a FamigliaAgentError with code, message and details', async () => {
  const peer = new HarnessPeer();
  await peer.startAgent();
  const read = peer.agent.canvas.read('missing.html');
  let request = await peer.expectRequest('canvas.read');
  peer.fail(request.id!, ErrorCodes.CanvasError, 'no such file', { field: 'path' });
  await assert.rejects(read, (e: unknown) => {
    assert.ok(e instanceof FamigliaAgentError);
    assert.equal(e.code, ErrorCodes.CanvasError);
    assert.equal(e.message, 'no such file');
    assert.equal(e.field, 'path');
    assert.equal(e.status, undefined);
    return true;
  });

  const group = peer.agent.api.group();
  request = await peer.expectRequest('api.group');
  peer.fail(request.id!, ErrorCodes.DataApiError, 'Data API error', { status: 429, title: 'Too Many Requests' });
  await assert.rejects(group, (e: unknown) => e instanceof FamigliaAgentError && e.status === 429 && e.title === 'Too Many Requests');

  const room = peer.agent.api.room();
  request = await peer.expectRequest('api.room');
  peer.fail(request.id!, ErrorCodes.NotInRoom, 'reconnecting');
  await assert.rejects(room, (e: unknown) => e instanceof FamigliaAgentError && e.code === ErrorCodes.NotInRoom && e.field === undefined);
});

test('text with newlines and non-ASCII travels as one line', async () => {
  const peer = new HarnessPeer();
  await peer.startAgent();
  const text = 'line one\nline two\r\n\u2028 — àèìòù 😀 "quoted" \\ \u0000';
  const said = peer.agent.say(text);
  const raw = await peer.readLine();
  assert.ok(!raw.includes('\n') && !raw.includes('\r'));
  const request = JSON.parse(raw) as { id: number; params: { text: string } };
  assert.equal(request.params.text, text);
  peer.answer(request.id, { id: 'o1' });
  assert.equal(await said, 'o1');
});

test('a pending request fails with HarnessClosedError when stdin ends', async () => {
  const peer = new HarnessPeer();
  await peer.startAgent();
  const said = peer.agent.say('anyone?');
  await peer.expectRequest('say');
  peer.toAgent.end();
  await assert.rejects(said, HarnessClosedError);
  await peer.agent.stopped;
});

test('a late answer to no pending request is logged and ignored', async () => {
  const peer = new HarnessPeer();
  await peer.startAgent();
  peer.answer(999, { id: 'nobody asked' });
  await settle();
  assert.ok(peer.log.some((l) => l.includes('no pending request (id 999)')));
  const said = peer.agent.say('still fine');
  await peer.answerNext('say', { id: 'o2' });
  assert.equal(await said, 'o2');
});
