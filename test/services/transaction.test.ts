/** A step whose events the journal refuses changes nothing — including records it created. */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { seedPeople, startRig } from '../fixtures/runtime.js';

describe('procedure steps when the journal refuses', () => {
  it('a badge registered while the journal is down is not left behind (503, and it opens nothing)', async () => {
    const rig = await startRig({ journal: { maxFileBytes: 4096 } });
    try {
      const p = await seedPeople(rig);
      const before = readFileSync(join(rig.dir, 'state.json'));
      // Remove the journal directory: the next rotation (segments are 4 KiB here) cannot happen.
      rmSync(join(rig.dir, 'journal'), { recursive: true, force: true });
      let status = 0;
      for (let i = 0; i < 40 && status !== 503; i++) {
        const stateBefore = readFileSync(join(rig.dir, 'state.json'));
        const badgesBefore = rig.rt.store.listBadges().length;
        const r = await rig.inject({
          method: 'POST',
          url: '/api/badges',
          token: p.sari,
          payload: { uid: `C0FFEE${String(i).padStart(2, '0')}`, label: `TAMU-X${i}`, kind: 'visitor' },
        });
        status = r.statusCode;
        if (status === 503) {
          assert.equal(r.json().error.code, 'journal_unavailable');
          assert.equal(rig.rt.store.badgeByUid(`C0FFEE${String(i).padStart(2, '0')}`), undefined);
          // Nothing of the refused step is left: the store on disk and in memory are as before it.
          // The records on disk are as before; the outbox (the earlier steps' events, already
          // journaled) may be cleared by the undo's write, but holds nothing of the refused step.
          const records = (b: Buffer) => {
            const { outbox: _outbox, ...rest } = JSON.parse(b.toString('utf8'));
            return rest;
          };
          const now = readFileSync(join(rig.dir, 'state.json'));
          assert.deepEqual(records(now), records(stateBefore), 'state.json records unchanged');
          assert.deepEqual(rig.rt.store.outbox(), [], 'no outbox entry waits for the refused step');
          const outbox = (JSON.parse(now.toString('utf8')).outbox ?? []) as {
            type: string;
            data: { uid?: string };
          }[];
          assert.ok(
            !outbox.some(
              (e) =>
                e.type === 'badge.registered' &&
                JSON.stringify(e.data).includes(`C0FFEE${String(i).padStart(2, '0')}`),
            ),
          );
          assert.equal(rig.rt.store.listBadges().length, badgesBefore);
        }
      }
      assert.equal(status, 503, 'the journal refused within 40 appends');
      assert.ok(before.length > 0);
      assert.notDeepEqual(
        readFileSync(join(rig.dir, 'state.json')),
        before,
        'the steps before the failure did land',
      );
    } finally {
      await rig.stop();
    }
  });
});
