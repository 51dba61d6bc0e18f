/**
 * The journal head as an anchor outside the Pi (issue #11 §6): the publisher keeps a retained
 * `<base>/<door>/journal/head` at the last event the broker acknowledged, and every state message
 * carries the head, so the dashboard holds copies `verify-journal --anchor` can check against.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { uncheckedEvent } from '../../src/domain/events.js';
import type { DoorSnapshot } from '../../src/door/door-controller.js';
import { stateMessage } from '../../src/mqtt/payloads.js';
import { EventPublisher, type PublishSink } from '../../src/mqtt/publisher.js';
import { Topics } from '../../src/mqtt/topics.js';
import { CursorFile } from '../../src/store/cursor.js';
import { Journal } from '../../src/store/journal.js';
import { verifyJournal } from '../../src/store/journal-verify.js';

describe('mqtt journal head anchor', () => {
  let dir: string;
  let journal: Journal;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jk-head-'));
    journal = new Journal({ dir: join(dir, 'journal'), door: 'door-1', maxFileBytes: 1 << 20 });
    journal.start();
  });
  afterEach(() => {
    journal.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is published retained after the acknowledged events, and is an anchor verify-journal accepts', async () => {
    const retained = new Map<string, string>();
    const sink: PublishSink = {
      connected: true,
      publishQos1: (_t, _p, done) => setImmediate(() => done()),
      publishRetained: (t, p) => retained.set(t, p),
    };
    const topics = new Topics('jurukunci', 'door-1');
    const pub = new EventPublisher({
      journal,
      cursor: new CursorFile(dir, 0),
      topics,
      sink,
      logger: pino({ level: 'silent' }),
    });
    for (let i = 0; i < 3; i++) journal.append(uncheckedEvent('door.exit_request', { i }));
    pub.start();
    for (let i = 0; i < 200 && pub.acknowledgedSeq < 3; i++) await new Promise((r) => setTimeout(r, 10));
    pub.stop();
    const head = JSON.parse(retained.get('jurukunci/door-1/journal/head') ?? 'null');
    assert.deepEqual({ seq: head.seq, hash: head.hash }, journal.head);
    assert.equal(verifyJournal(join(dir, 'journal'), { anchor: head }).anchor, 'match');
  });

  it('rides on every state message', () => {
    const snap: DoorSnapshot = {
      door: 'door-1',
      lock: 'locked',
      contact: 'closed',
      mode: 'normal',
      inside: [],
      pending: [],
      alarms: { forced: false, heldOpen: false },
      journal: { seq: 7, hash: 'a'.repeat(64) },
    };
    assert.deepEqual(stateMessage(snap, new Date(0)).journal, { seq: 7, hash: 'a'.repeat(64) });
  });
});
