/** The STATUS= line `systemctl status jurukunci` shows, from a whole Runtime's health. */
import assert from 'node:assert/strict';
import { statusLine } from '../src/status-line.js';
import { seedPeople, startRig } from './fixtures/runtime.js';

describe('status line (systemd STATUS=)', () => {
  it('says the mode, lock, contact and how many are inside; no names', async () => {
    const rig = await startRig({ doorId: 'server-room' });
    try {
      const p = await seedPeople(rig);
      const line = () => {
        const h = rig.rt.health();
        return statusLine({
          doorId: 'server-room',
          door: h.door as { mode: string; lock: string; contact: string; inside: number },
          modules: h.modules,
          journalOk: h.journal.ok,
        });
      };
      assert.equal(line(), 'door server-room: normal, locked, closed, 0 inside; all parts ok');
      assert.equal(
        rig.rt.door.onCredential({ kind: 'nfc', value: p.budiUid, readerId: 'entry' }, 'entry').outcome,
        'grant',
      );
      assert.match(line(), /^door server-room: normal, unlocked, closed, 1 inside; all parts ok$/);
      assert.doesNotMatch(line(), /Budi/i);
    } finally {
      await rig.stop();
    }
  });

  it('names every part that is not ok, the journal first', () => {
    const line = statusLine({
      doorId: 'd1',
      door: { mode: 'lockdown', lock: 'locked', contact: 'open', inside: 2 },
      modules: {
        door: { state: 'ok' },
        mqtt: { state: 'down', detail: 'ECONNREFUSED' },
        nfc: { state: 'degraded' },
      },
      journalOk: false,
    });
    assert.equal(
      line,
      'door d1: lockdown, locked, open, 2 inside; degraded: journal unavailable, mqtt down, nfc degraded',
    );
  });
});
