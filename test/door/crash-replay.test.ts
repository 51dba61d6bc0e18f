/**
 * Found by a crash test (#12 §3): a kill -9 within milliseconds after a grant lost who was inside
 * and the visit's first entry, because door.json and the visit are written just after the grant
 * is journaled. Here the crash is reproduced exactly: after the grant, door.json and state.json
 * are put back to what they held before it (as if their writes never reached the disk), while the
 * journal keeps the grant. The restarted service rebuilds both from the journal.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { issuedVisit, seedPeople, simTap, startRig } from '../fixtures/runtime.js';
import { cutJournalAfter } from '../fixtures/service-process.js';

describe('door state after a kill -9 right after a grant', () => {
  it('the restarted door has both inside, books the first entry, and keeps anti-passback and the unescorted alarm', async () => {
    const rig = await startRig();
    const p = await seedPeople(rig);
    const visitId = await issuedVisit(rig, p);
    const tap = simTap(rig, p.sari);
    // An exit tap first, so door.json exists and names the journal sequence it reflects.
    assert.equal((await tap('exit', p.budiUid)).json().result.outcome, 'exit');
    await new Promise((r) => setTimeout(r, 50));
    // The state files as they were before the grant.
    for (const f of ['door.json', 'state.json']) {
      assert.ok(existsSync(join(rig.dir, f)), f);
      copyFileSync(join(rig.dir, f), join(rig.dir, `${f}.before`));
    }
    // The visitor waits for the escort; the escort's tap admits both.
    assert.equal((await tap('entry', p.visitorUid)).json().result.outcome, 'pending');
    const grant = (await tap('entry', p.budiUid)).json().result;
    assert.equal(grant.outcome, 'grant');
    assert.equal(grant.admits.length, 2);
    const granted = rig.rt.journal.read(0, 10_000).find((e) => e.type === 'access.granted')!;
    await rig.rt.stop();
    // The crash: the journal ends with the grant; neither state write after
    // the grant reached the disk.
    cutJournalAfter(rig.dir, granted.seq);
    for (const f of ['door.json', 'state.json']) copyFileSync(join(rig.dir, `${f}.before`), join(rig.dir, f));

    const rt = new Runtime({ config: rig.rt.config, logger: createLogger('silent'), listen: false });
    await rt.start();
    try {
      const inside = rt.door
        .snapshot()
        .inside.map((o) => o.badgeId)
        .sort();
      assert.deepEqual(inside, [p.budiBadge, p.visitorBadge].sort(), 'both are inside again');
      for (let i = 0; i < 50 && rt.store.visit(visitId)?.state !== 'in_progress'; i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(rt.store.visit(visitId)?.state, 'in_progress', 'the first entry is booked');
      const entered = rt.journal.read(0, 10_000).filter((e) => e.type === 'visit.entered');
      assert.equal(entered.length, 1, 'booked once');
      assert.equal(entered[0]!.data.at, granted.at, 'at the time of the grant');
      // The escort leaves: the visitor is inside alone.
      assert.equal((await tap('exit', p.budiUid, rt)).json().result.outcome, 'exit');
      const alarms = rt.journal.read(0, 10_000).filter((e) => e.type === 'alarm.visitor_unescorted');
      assert.equal(alarms.length, 1);
      assert.equal(alarms[0]!.data.visitId, visitId);
      // The visitor is still inside: a second entry is anti-passback, not a wait for an escort.
      const again = (await tap('entry', p.visitorUid, rt)).json().result;
      assert.equal(again.outcome, 'deny');
      assert.equal(again.reason, 'anti_passback');
    } finally {
      await rt.stop();
      rmSync(rig.dir, { recursive: true, force: true });
    }
  });
});
