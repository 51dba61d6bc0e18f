/** Rebuilding the door's derived state from the journal after its saved state (kill -9 safety). */
import assert from 'node:assert/strict';
import { replayDoorEvents } from '../../src/domain/door-replay.js';
import type { JournalEvent } from '../../src/domain/events.js';

let seq = 0;
const ev = (
  type: string,
  data: Record<string, unknown>,
  at = `2026-12-01T0${seq % 10}:00:00.000Z`,
): JournalEvent =>
  ({ seq: ++seq, id: `e${seq}`, at, door: 'd1', type, data, prev: '', hash: '' }) as unknown as JournalEvent;

const admit = (badgeId: string, visitId: string | null, kind: 'staff' | 'visitor') => ({
  badgeId,
  kind,
  userId: kind === 'staff' ? `u-${badgeId}` : null,
  visitId,
  name: badgeId,
});

describe('door state replayed from the journal', () => {
  beforeEach(() => {
    seq = 0;
  });

  it('a grant the saved state missed puts both people inside and books the visit’s first entry', () => {
    const events = [
      ev('access.granted', { admits: [admit('B-ESC', null, 'staff'), admit('B-VIS', 'v1', 'visitor')] }),
      ev('door.unlocked', { reason: 'grant' }),
    ];
    const r = replayDoorEvents({ mode: 'normal', occupancy: [], journalSeq: 0 }, events);
    assert.deepEqual(
      r.state.occupancy.map((o) => o.badgeId),
      ['B-ESC', 'B-VIS'],
    );
    assert.deepEqual(r.firstEntries, [{ visitId: 'v1', at: events[0]!.at }]);
    assert.equal(r.state.journalSeq, 2);
    assert.equal(r.applied, 2);
  });

  it('exits, clears and check-outs remove people; a journaled first entry is not booked twice', () => {
    const events = [
      ev('access.granted', { admits: [admit('B-ESC', null, 'staff'), admit('B-VIS', 'v1', 'visitor')] }),
      ev('visit.entered', { visitId: 'v1', state: 'in_progress', at: 'x' }),
      ev('access.exit', { badgeId: 'B-ESC', wasInside: true }),
      ev('access.granted', { admits: [admit('B-2', 'v2', 'visitor'), admit('B-3', null, 'staff')] }),
      ev('door.occupancy_cleared', { badgeIds: ['B-3'] }),
      ev('visit.checked_out', { visitId: 'v2' }),
    ];
    const r = replayDoorEvents({ mode: 'normal', occupancy: [] }, events);
    assert.deepEqual(
      r.state.occupancy.map((o) => o.badgeId),
      ['B-VIS'],
    );
    assert.deepEqual(
      r.firstEntries.map((f) => f.visitId),
      ['v2'],
    );
  });

  it('skips what the saved state already reflects, and follows mode changes (fire remembers the mode before)', () => {
    const events = [
      ev('access.granted', { admits: [admit('OLD', null, 'staff')] }),
      ev('door.mode_changed', { from: 'normal', to: 'lockdown', via: 'http' }),
      ev('door.mode_changed', { from: 'lockdown', to: 'emergency_release', via: 'fire_input' }),
    ];
    const r = replayDoorEvents({ mode: 'normal', occupancy: [], journalSeq: 1 }, events);
    assert.deepEqual(r.state.occupancy, [], 'seq 1 was already in the saved state');
    assert.equal(r.state.mode, 'emergency_release');
    assert.equal(r.state.modeBeforeFire, 'lockdown');
    const after = replayDoorEvents(r.state, [
      ev('door.mode_changed', { from: 'emergency_release', to: 'lockdown', via: 'fire_input' }),
    ]);
    assert.equal(after.state.mode, 'lockdown');
    assert.equal(after.state.modeBeforeFire, null);
  });
});
