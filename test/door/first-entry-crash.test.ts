/**
 * Found by the kill -9 cycles (test/fault/kill-random.test.ts): after a grant the door writes
 * door.json at once (naming the grant's journal seq), while the visit's first entry is booked a
 * moment later (state.json, then `visit.entered`). A kill between the two left a visitor inside
 * on a visit that stayed `badge_issued`: the restarted door replayed only the events after the
 * grant, so nothing booked it. Reproduced exactly here: door.json as written at the grant,
 * state.json as before the grant, the journal ending where door.json says.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { issuedVisit, seedPeople, simTap, startRig } from '../fixtures/runtime.js';
import { cutJournalAfter } from '../fixtures/service-process.js';

describe('first entry after a kill -9 between door.json and the booking', () => {
  it('the restarted service books the first entry of a grant that door.json already reflects', async () => {
    const rig = await startRig();
    const p = await seedPeople(rig);
    const visitId = await issuedVisit(rig, p);
    const tap = simTap(rig, p.sari);
    copyFileSync(join(rig.dir, 'state.json'), join(rig.dir, 'state.json.before'));
    assert.equal((await tap('entry', p.visitorUid)).json().result.outcome, 'pending');
    assert.equal((await tap('entry', p.budiUid)).json().result.outcome, 'grant');
    const granted = rig.rt.journal.read(0, 10_000).find((e) => e.type === 'access.granted')!;
    // door.json as the grant left it: it already reflects the grant.
    const door = JSON.parse(readFileSync(join(rig.dir, 'door.json'), 'utf8')) as { journalSeq: number };
    assert.ok(door.journalSeq >= granted.seq, 'door.json reflects the grant');
    copyFileSync(join(rig.dir, 'door.json'), join(rig.dir, 'door.json.at-grant'));
    await rig.rt.stop();
    // The crash: the journal ends where door.json says (the grant and its unlock), door.json was
    // written, the booking was not.
    const keep = cutJournalAfter(rig.dir, door.journalSeq);
    assert.ok(!keep.some((e) => e.type === 'visit.entered'));
    copyFileSync(join(rig.dir, 'door.json.at-grant'), join(rig.dir, 'door.json'));
    copyFileSync(join(rig.dir, 'state.json.before'), join(rig.dir, 'state.json'));

    const rt = new Runtime({ config: rig.rt.config, logger: createLogger('silent'), listen: false });
    await rt.start();
    try {
      for (let i = 0; i < 50 && rt.store.visit(visitId)?.state !== 'in_progress'; i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(rt.store.visit(visitId)?.state, 'in_progress', 'the first entry is booked');
      const entered = rt.journal.read(0, 10_000).filter((e) => e.type === 'visit.entered');
      assert.equal(entered.length, 1, 'booked once');
      assert.equal(entered[0]!.data.at, granted.at, 'at the time of the grant');
    } finally {
      await rt.stop();
      rmSync(rig.dir, { recursive: true, force: true });
    }
  });
});
