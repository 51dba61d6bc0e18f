/** GET /api/events/stream over a real listening server: resume by cursor, live delivery, scrubbing, no leaks. */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { seedPeople, startRig, type TestRig, VALID_NIK } from '../../fixtures/runtime.js';

type Frame = { id: number; data: { seq: number; type: string; data: Record<string, unknown> } };

/** Reads SSE frames from a fetch body until `done(frames)` holds. */
async function readUntil(
  body: ReadableStream<Uint8Array>,
  done: (frames: Frame[], raw: string) => boolean,
): Promise<{ frames: Frame[]; raw: string; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let raw = '';
  const frames: Frame[] = [];
  while (!done(frames, raw)) {
    const { value, done: end } = await reader.read();
    if (end) break;
    raw += dec.decode(value, { stream: true });
    const parts = raw.split('\n\n');
    frames.length = 0;
    for (const p of parts.slice(0, -1)) {
      const id = /^id: (\d+)$/m.exec(p)?.[1];
      const data = /^data: (.*)$/m.exec(p)?.[1];
      if (id && data) frames.push({ id: Number(id), data: JSON.parse(data) });
    }
  }
  return { frames, raw, reader };
}

describe('GET /api/events/stream (SSE)', () => {
  let rig: TestRig;
  let base: string;
  let token: string;
  before(async () => {
    rig = await startRig();
    const p = await seedPeople(rig);
    token = p.sari;
    await rig.rt.http!.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(rig.rt.http!.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    // Node's fetch may hold a spare connection that never sends a request; the server would wait for it.
    rig?.rt.http?.server.closeAllConnections();
    await rig?.stop();
  });

  const open = (path: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(`${base}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(signal ? { signal } : {}),
    });

  it('refuses callers without a session', async () => {
    const res = await fetch(`${base}/api/events/stream`);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthenticated');
  });

  it('resumes after ?after= and Last-Event-ID, ids are seqs, then delivers live events', async () => {
    const head = rig.rt.journal.seq;
    assert.ok(head > 3);
    const ac = new AbortController();
    const res = await open('/api/events/stream?after=2', {}, ac.signal);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const first = await readUntil(res.body!, (f) => f.length >= head - 2);
    assert.deepEqual(
      first.frames.map((f) => f.id),
      Array.from({ length: head - 2 }, (_, i) => i + 3),
    );
    assert.ok(first.frames.every((f) => f.id === f.data.seq));

    // live: an event appended now arrives on the open stream
    rig.rt.journal.append({ type: 'door.opened', data: { authorised: true } });
    const dec = new TextDecoder();
    let raw = '';
    while (!raw.includes(`id: ${head + 1}\n`)) raw += dec.decode((await first.reader.read()).value);
    assert.match(raw, /"type":"door.opened"/);
    ac.abort();

    // Last-Event-ID wins over ?after=
    const again = await open('/api/events/stream?after=0&follow=false', { 'last-event-id': String(head) });
    const { frames } = await readUntil(again.body!, (_f, r) => r.length > 0 && false);
    assert.deepEqual(
      frames.map((f) => f.id),
      [head + 1],
    );
  });

  it('sends no NIK or phone, even inside free text', async () => {
    const seq = rig.rt.journal.seq;
    rig.rt.journal.append({
      type: 'badge.updated',
      data: {
        badgeId: 'b1',
        active: false,
        reason: `NIK ${VALID_NIK} hp 081234567890`,
        by: { id: 'u', name: 'x' },
      },
    });
    const res = await open(`/api/events/stream?after=${seq}&follow=false`);
    const { raw, frames } = await readUntil(res.body!, () => false);
    assert.equal(frames.length, 1);
    assert.equal(raw.includes(VALID_NIK), false);
    assert.equal(raw.includes('081234567890'), false);
    assert.match(raw, /\[redacted\]/);
  });

  it('a bad Last-Event-ID is a 400 validation_failed', async () => {
    const res = await open('/api/events/stream', { 'last-event-id': 'abc' });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'validation_failed');
  });

  it('opening and closing 50 streams leaves no listener behind (one journal listener while any is open)', async () => {
    const journal = rig.rt.journal;
    const baseline = journal.listenerCount('appended');
    const streams = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const ac = new AbortController();
        const res = await open('/api/events/stream', {}, ac.signal);
        const reader = res.body!.getReader();
        await reader.read(); // the retry line: the stream is set up
        return { ac, reader };
      }),
    );
    assert.equal(journal.listenerCount('appended'), baseline + 1);
    for (const s of streams) s.ac.abort();
    for (let i = 0; i < 500 && journal.listenerCount('appended') > baseline; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(journal.listenerCount('appended'), baseline);
  });
});
