import assert from 'node:assert/strict';
import { ClockTrust } from '../../src/domain/clock-trust.js';
import { T0 } from './builders.js';

const H = 3_600_000;
const t0 = T0.getTime();

describe('domain/clock-trust', () => {
  const fresh = () => new ClockTrust({ latestMs: t0, wallMs: t0, mono: 0, toleranceMs: 120_000 });

  it('a clock set back past the tolerance opens one episode; within it nothing happens', () => {
    const c = fresh();
    assert.deepEqual(c.observe(t0 - 60_000, 1), { trusted: true });
    const first = c.observe(t0 - H, 2);
    assert.equal(first.trusted, false);
    assert.equal(first.trusted === false && first.opened, true);
    const again = c.observe(t0 - H + 1000, 3);
    assert.equal(again.trusted === false && again.opened, false, 'opened once per episode');
    // The wall clock coming back by itself does not end the episode.
    assert.equal(c.observe(t0 + 1000, 4).trusted, false);
  });

  it('restore trusts the wall clock again, even earlier than before, and re-anchors', () => {
    const c = fresh();
    c.observe(t0 - H, 1);
    assert.equal(c.restore(t0 - H, 1), t0);
    assert.equal(c.trusted, true);
    assert.equal(c.latestMs, t0 - H);
    assert.equal(c.agreedMs(t0 - H + 5000, 5001), t0 - H + 5000);
  });

  it('agreedMs is a time both clocks passed: a forward jump is not believed by the monotonic clock', () => {
    const c = fresh();
    const day = 24 * H;
    assert.equal(c.agreedMs(t0 + day + 60_000, 60_000), t0 + 60_000);
    // A slow wall clock wins over the anchor: the earlier of the two.
    assert.equal(fresh().agreedMs(t0 + 30_000, 60_000), t0 + 30_000);
    // Back from the jump: the door cannot tell which reading was right.
    assert.equal(c.agreedMs(t0 + 61_000, 61_000), null);
  });

  it('agreedMs is null while untrusted', () => {
    const c = fresh();
    assert.equal(c.agreedMs(t0 - H, 1), null);
  });

  it('reanchor follows a synchronised clock stepped forward; ignored while untrusted', () => {
    const c = fresh();
    c.reanchor(t0 + 2 * H, 10);
    assert.equal(c.agreedMs(t0 + 2 * H + 10, 20), t0 + 2 * H + 10);
    const u = fresh();
    u.observe(t0 - H, 1);
    u.reanchor(t0 - H, 1);
    assert.equal(u.trusted, false);
  });
});
