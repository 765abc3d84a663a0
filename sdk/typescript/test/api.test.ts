import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Paginated, Post } from '@famiglia/agent-sdk';
import { HarnessPeer } from './peer.js';

const post: Post = {
  id: 'p1',
  type: 'image',
  content: { text: 'Beach', linkUrl: null },
  author: { id: 'u1', handle: 'alice', displayName: 'Alice' },
  media: [{ id: 'md1', mime: 'image/png', size: 68, width: 1, height: 1, url: '_media/md1' }],
  createdAt: '2026-11-26T09:30:00.000Z',
};

async function started(): Promise<HarnessPeer> {
  const peer = new HarnessPeer();
  await peer.startAgent();
  return peer;
}

test('feed sends the query and returns the page as the harness gave it', async () => {
  const peer = await started();
  const page: Paginated<Post> = { data: [post], total: 234, hasMore: true };
  const feed = peer.agent.api.feed({ type: 'image', limit: 100, offset: 200 });
  assert.deepEqual(await peer.answerNext('api.feed', page), { type: 'image', limit: 100, offset: 200 });
  assert.deepEqual(await feed, page);

  const all = peer.agent.api.feed();
  assert.deepEqual(await peer.answerNext('api.feed', { data: [], total: 0, hasMore: false }), {});
  assert.equal((await all).total, 0);
});

test('group, room, rooms and post send their methods and parameters', async () => {
  const peer = await started();
  const group = peer.agent.api.group();
  assert.deepEqual(await peer.answerNext('api.group', { id: 'g1', members: [{ role: 'OWNER' }] }), {});
  assert.equal((await group).members[0]?.role, 'OWNER');

  const room = peer.agent.api.room();
  assert.deepEqual(await peer.answerNext('api.room', { id: 'r1', mucJid: 'photos@conference.x' }), {});
  assert.equal((await room).mucJid, 'photos@conference.x');

  const page = peer.agent.api.roomsPage({ limit: 10 });
  assert.deepEqual(await peer.answerNext('api.rooms', { data: [{ id: 'r1' }], total: 1, hasMore: false }), { limit: 10 });
  assert.equal((await page).data[0]?.id, 'r1');

  // rooms() as spec §8.2 has it: every room, the pages fetched one after another.
  const rooms = peer.agent.api.rooms();
  const first = Array.from({ length: 200 }, (_, i) => ({ id: `r${i}` }));
  assert.deepEqual(await peer.answerNext('api.rooms', { data: first, total: 201, hasMore: true }), { limit: 200, offset: 0 });
  assert.deepEqual(await peer.answerNext('api.rooms', { data: [{ id: 'r200' }], total: 201, hasMore: false }), { limit: 200, offset: 200 });
  const all = await rooms;
  assert.equal(all.length, 201);
  assert.equal(all[200]?.id, 'r200');

  const one = peer.agent.api.post('p1');
  assert.deepEqual(await peer.answerNext('api.post', post), { postId: 'p1' });
  assert.equal((await one).media[0]?.url, '_media/md1');
});

test('media decodes the base64 bytes', async () => {
  const peer = await started();
  const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
  const media = peer.agent.api.media('md1');
  assert.deepEqual(await peer.answerNext('api.media', { contentType: 'image/png', base64: bytes.toString('base64') }), { mediaId: 'md1' });
  assert.ok(Buffer.isBuffer(await media));
  assert.deepEqual(await media, bytes);
});

test('chatHistory, documents, files, apps and appRecords send their parameters', async () => {
  const peer = await started();
  const empty = { data: [], total: 0, hasMore: false };

  const history = peer.agent.api.chatHistory({ roomId: 'r2', thread: 'doc', limit: 5, offset: 10 });
  assert.deepEqual(await peer.answerNext('api.chatHistory', empty), { roomId: 'r2', thread: 'doc', limit: 5, offset: 10 });
  await history;

  const documents = peer.agent.api.documents('r2');
  assert.deepEqual(await peer.answerNext('api.documents', { data: [{ id: 'd1' }], total: 1, hasMore: false }), { roomId: 'r2', limit: 200, offset: 0 });
  assert.equal((await documents)[0]?.id, 'd1');

  const ownDocuments = peer.agent.api.documentsPage();
  assert.deepEqual(await peer.answerNext('api.documents', empty), {});
  await ownDocuments;

  const files = peer.agent.api.filesPage('invoice', { limit: 3 });
  assert.deepEqual(await peer.answerNext('api.files', empty), { q: 'invoice', limit: 3 });
  await files;

  const everyFile = peer.agent.api.files('invoice');
  assert.deepEqual(await peer.answerNext('api.files', empty), { q: 'invoice', limit: 200, offset: 0 });
  assert.deepEqual(await everyFile, []);

  const apps = peer.agent.api.apps();
  assert.deepEqual(await peer.answerNext('api.apps', { data: [{ id: 'a1', schema: { type: 'object' } }], total: 1, hasMore: false }), { limit: 200, offset: 0 });
  assert.deepEqual((await apps)[0]?.schema, { type: 'object' });

  const records = peer.agent.api.appRecords('a1', { offset: 50 });
  assert.deepEqual(await peer.answerNext('api.appRecords', { data: [{ id: 'rec1', data: { done: true } }], total: 51, hasMore: false }), {
    appId: 'a1',
    offset: 50,
  });
  assert.deepEqual((await records).data[0]?.data, { done: true });
});

test('invalid arguments are refused before anything is sent', async () => {
  const peer = await started();
  await assert.rejects(peer.agent.api.post(''), TypeError);
  await assert.rejects(peer.agent.api.media(''), TypeError);
  await assert.rejects(peer.agent.api.appRecords(''), TypeError);
  await assert.rejects(peer.agent.api.files(undefined as unknown as string), TypeError);
  await assert.rejects(peer.agent.canvas.write('', 'x'), TypeError);
  await assert.rejects(peer.agent.canvas.write('a.txt', 42 as unknown as string), TypeError);
  await assert.rejects(peer.agent.say(undefined as unknown as string), TypeError);
  await peer.expectSilence();
});

test('canvas.write sends text as text and bytes as base64', async () => {
  const peer = await started();
  const text = peer.agent.canvas.write('index.html', '<h1>Hi</h1>');
  assert.deepEqual(await peer.answerNext('canvas.write', { path: 'index.html', size: 11 }), { path: 'index.html', text: '<h1>Hi</h1>' });
  await text;

  // A view into a larger buffer: only its own bytes travel.
  const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
  const bytes = peer.agent.canvas.write('img/a.bin', backing.subarray(2, 5));
  assert.deepEqual(await peer.answerNext('canvas.write', { path: 'img/a.bin', size: 3 }), { path: 'img/a.bin', base64: 'AQID' });
  await bytes;
});

test('canvas.read returns text or a Buffer; readText and readBytes convert', async () => {
  const peer = await started();
  const text = peer.agent.canvas.read('index.html');
  assert.deepEqual(await peer.answerNext('canvas.read', { path: 'index.html', text: 'héllo' }), { path: 'index.html' });
  assert.equal(await text, 'héllo');

  const binary = peer.agent.canvas.read('a.bin');
  await peer.answerNext('canvas.read', { path: 'a.bin', base64: 'AP8=' });
  assert.deepEqual(await binary, Buffer.from([0x00, 0xff]));

  const asBytes = peer.agent.canvas.readBytes('index.html');
  await peer.answerNext('canvas.read', { path: 'index.html', text: 'héllo' });
  assert.deepEqual(await asBytes, Buffer.from('héllo', 'utf8'));

  const asText = peer.agent.canvas.readText('a.txt');
  await peer.answerNext('canvas.read', { path: 'a.txt', base64: Buffer.from('ok', 'utf8').toString('base64') });
  assert.equal(await asText, 'ok');
});

test('canvas.delete returns whether the file existed; bumpVersion returns the version', async () => {
  const peer = await started();
  const deleted = peer.agent.canvas.delete('old.html');
  assert.deepEqual(await peer.answerNext('canvas.delete', { path: 'old.html', deleted: true }), { path: 'old.html' });
  assert.equal(await deleted, true);

  const missing = peer.agent.canvas.delete('nope.html');
  await peer.answerNext('canvas.delete', { path: 'nope.html', deleted: false });
  assert.equal(await missing, false);

  const bump = peer.agent.canvas.bumpVersion();
  assert.deepEqual(await peer.answerNext('canvas.bumpVersion', { version: 3 }), {});
  assert.equal(await bump, 3);
});
