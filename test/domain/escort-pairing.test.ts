import assert from 'node:assert/strict';
import { EscortPairing, type PairedTap } from '../../src/domain/escort-pairing.js';

function tap(badgeId: string, mono: number, overrides: Partial<PairedTap> = {}): PairedTap {
  const kind = overrides.kind ?? 'visitor';
  return {
    badgeId,
    kind,
    userId: kind === 'staff' ? `u-${badgeId}` : null,
    visitId: kind === 'visitor' ? `v-${badgeId}` : null,
    mono,
    status: 'pending',
    admission: { badgeId, kind, userId: null, visitId: null, name: badgeId },
    ...overrides,
  };
}

describe('domain/escort-pairing', () => {
  it('recent() keeps taps no older than the window (the edge is inside), newest last', () => {
    const p = new EscortPairing();
    p.record(tap('a', 0));
    p.record(tap('b', 5_000));
    assert.deepEqual(
      p.recent(10_000, 10_000).map((t) => t.badgeId),
      ['a', 'b'],
    );
    assert.deepEqual(
      p.recent(10_001, 10_000).map((t) => t.badgeId),
      ['b'],
    );
    assert.deepEqual(p.recent(15_001, 10_000), []);
  });

  it('record() replaces an earlier tap of the same badge and moves it last', () => {
    const p = new EscortPairing();
    p.record(tap('a', 0));
    p.record(tap('b', 1));
    p.record(tap('a', 2, { status: 'granted' }));
    const all = p.recent(2, 10_000);
    assert.deepEqual(
      all.map((t) => [t.badgeId, t.mono, t.status]),
      [
        ['b', 1, 'pending'],
        ['a', 2, 'granted'],
      ],
    );
  });

  it('resolve() marks a pending tap granted; pending() lists what still waits', () => {
    const p = new EscortPairing();
    p.record(tap('a', 0));
    p.record(tap('b', 0));
    p.resolve('a');
    p.resolve('nobody');
    assert.deepEqual(
      p.pending().map((t) => t.badgeId),
      ['b'],
    );
  });

  it('expire() drops old taps and returns only the pending ones that ran out', () => {
    const p = new EscortPairing();
    p.record(tap('pend-old', 0));
    p.record(tap('granted-old', 0, { status: 'granted', kind: 'staff' }));
    p.record(tap('pend-edge', 1));
    assert.deepEqual(
      p.expire(10_001, 10_000).map((t) => t.badgeId),
      ['pend-old'],
    );
    assert.deepEqual(
      p.recent(10_001, 10_000).map((t) => t.badgeId),
      ['pend-edge'],
    );
    assert.deepEqual(p.expire(10_001, 10_000), [], 'expire is idempotent');
    assert.deepEqual(
      p.expire(10_002, 10_000).map((t) => t.badgeId),
      ['pend-edge'],
    );
    assert.deepEqual(p.pending(), []);
  });

  it('clear() forgets everything', () => {
    const p = new EscortPairing();
    p.record(tap('a', 0));
    p.clear();
    assert.deepEqual(p.recent(0, 10_000), []);
    assert.deepEqual(p.expire(100_000, 10_000), []);
  });

  it('does not return its internal array', () => {
    const p = new EscortPairing();
    p.record(tap('a', 0));
    p.recent(0, 10_000).length = 0;
    p.pending().pop();
    assert.equal(p.recent(0, 10_000).length, 1);
  });
});
