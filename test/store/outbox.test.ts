/**
 * The state outbox (services/transaction.ts, store/outbox.ts): a step's state and its journal
 * events are two writes; a kill -9 between them used to leave the step in state.json with no
 * event in the journal, for good. The step's events now travel in the same state.json write, and
 * the next start appends what the journal lacks — under the ids the step chose, never twice.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { verifyJournal } from '../../src/store/journal-verify.js';
import { issuedVisit, seedPeople, startRig, type TestRig, visitRequest } from '../fixtures/runtime.js';
import { cutJournalAfter } from '../fixtures/service-process.js';

const restart = async (rig: TestRig) => {
  const rt = new Runtime({ config: rig.rt.config, logger: createLogger('silent'), listen: false });
  await rt.start();
  return rt;
};

describe('store: the outbox of a step cut short by a crash', () => {
  let rig: TestRig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(() => rmSync(rig.dir, { recursive: true, force: true }));

  it('a step in state.json whose events never reached the journal: the next start appends them, same ids', async () => {
    const p = await seedPeople(rig);
    await issuedVisit(rig, p);
    const before = rig.rt.journal.seq;
    const res = await rig.inject({
      method: 'POST',
      url: '/api/visits',
      token: p.sari,
      payload: visitRequest(rig.clock.now),
    });
    assert.equal(res.statusCode, 201, res.body);
    const visitId = res.json().visit.id as string;
    const stepEvents = rig.rt.journal.read(before, 100);
    assert.deepEqual(
      stepEvents.map((e) => e.type),
      ['visit.submitted'],
    );
    await rig.rt.stop();
    // The state on disk holds the step and, in its outbox, the step's events.
    const state = JSON.parse(readFileSync(join(rig.dir, 'state.json'), 'utf8'));
    const ids = (state.outbox as { id: string }[]).map((e) => e.id);
    assert.deepEqual(
      ids,
      stepEvents.map((e) => e.id),
    );
    // The crash: those events never reached the journal.
    cutJournalAfter(rig.dir, before);
    const rt = await restart(rig);
    try {
      const after = rt.journal.read(before, 100);
      for (const e of stepEvents) {
        const found = after.find((a) => a.id === e.id);
        assert.ok(found, `${e.type} appended again`);
        assert.equal(found.type, e.type);
        assert.deepEqual(found.data, e.data);
      }
      assert.equal(verifyJournal(join(rig.dir, 'journal')).ok, true);
      assert.equal(rt.store.visit(visitId)?.state, 'submitted', 'the state kept the step');
      // Persisted without the outbox once the journal holds them.
      assert.equal(JSON.parse(readFileSync(join(rig.dir, 'state.json'), 'utf8')).outbox, undefined);
    } finally {
      await rt.stop();
    }
  });

  it('a step whose events did reach the journal: nothing appended twice', async () => {
    const p = await seedPeople(rig);
    await issuedVisit(rig, p);
    await rig.rt.stop();
    const seq = rig.rt.journal.seq;
    const ids = new Set(rig.rt.journal.read(0, 10_000).map((e) => e.id));
    assert.ok(JSON.parse(readFileSync(join(rig.dir, 'state.json'), 'utf8')).outbox?.length > 0);
    const rt = await restart(rig);
    try {
      const added = rt.journal.read(seq, 100);
      assert.deepEqual(
        added.map((e) => e.type),
        ['system.started'],
        'only the start itself',
      );
      assert.ok(added.every((e) => !ids.has(e.id)));
    } finally {
      await rt.stop();
    }
  });

  it('a refused step leaves no outbox entry behind', async () => {
    const p = await seedPeople(rig);
    const count = rig.rt.store.listVisits().length;
    // The journal refuses the next append (its file closed under it).
    const j = rig.rt.journal as unknown as { fd: number | null };
    const { closeSync } = await import('node:fs');
    closeSync(j.fd!);
    const res = await rig.inject({
      method: 'POST',
      url: '/api/visits',
      token: p.sari,
      payload: visitRequest(rig.clock.now),
    });
    assert.equal(res.statusCode, 503, res.body);
    assert.equal(rig.rt.store.listVisits().length, count, 'the step changed nothing');
    assert.deepEqual(rig.rt.store.outbox(), []);
    const state = JSON.parse(readFileSync(join(rig.dir, 'state.json'), 'utf8'));
    assert.equal(state.outbox, undefined, 'the undo was written without it');
    j.fd = null;
    await rig.rt.stop().catch(() => undefined);
  });
});

describe('store: outbox recovery when the journal cannot write at start', () => {
  it('appends what it can, keeps the rest for the next start, and does not throw', async () => {
    const { recoverOutbox } = await import('../../src/store/outbox.js');
    const { StateStore } = await import('../../src/store/state-store.js');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'jk-outbox-'));
    try {
      const store = new StateStore(dir);
      await store.start();
      const entry = (id: string) => ({ id, afterSeq: 0, type: 'visit.submitted', data: { visitId: id } });
      await store.commit({}, [], {}, [entry('a'), entry('b'), entry('c')]);
      let appends = 0;
      // A journal whose second append fails (the disk filled up), holding nothing yet.
      const journal = {
        *iterate() {},
        append: () => {
          if (++appends === 2) throw new Error('ENOSPC: no space left on device, write');
          return {};
        },
      };
      const r = recoverOutbox(store, journal as never);
      assert.deepEqual(
        r.appended.map((e) => e.id),
        ['a'],
      );
      assert.match(r.failed ?? '', /ENOSPC/);
      assert.deepEqual(
        store.outbox().map((e) => e.id),
        ['b', 'c'],
        'the rest wait for the next start',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
