/** The shared software debounce, with stepped time (no waiting, no timing assertions). */
import assert from 'node:assert/strict';
import { Debouncer } from '../../../src/hardware/gpio/debounce.js';
import { ManualTimers } from './manual-timers.js';

function rig(ms: number, initial = false) {
  const timers = new ManualTimers();
  const changes: boolean[] = [];
  const d = new Debouncer(initial, ms, (v) => changes.push(v), timers);
  return { d, timers, changes };
}

describe('gpio debounce', () => {
  it('a level counts once it has held for the debounce time', () => {
    const { d, timers, changes } = rig(50);
    d.feed(true);
    timers.advance(49);
    assert.deepEqual(changes, []);
    assert.equal(d.value, false);
    timers.advance(1);
    assert.deepEqual(changes, [true]);
    assert.equal(d.value, true);
  });

  it('bounces restart the quiet time; a bounce back to the stable level is nothing', () => {
    const { d, timers, changes } = rig(50);
    for (let i = 0; i < 10; i++) {
      d.feed(i % 2 === 0);
      timers.advance(10);
    }
    assert.deepEqual(changes, []);
    d.feed(true);
    d.feed(false);
    timers.advance(500);
    assert.deepEqual(changes, []);
    assert.equal(timers.pending(), 0);
  });

  it('repeated samples of the same level (polling) do not push the change back', () => {
    const { d, timers, changes } = rig(50);
    for (let i = 0; i < 10; i++) {
      d.feed(true);
      timers.advance(10);
    }
    assert.deepEqual(changes, [true]);
  });

  it('0 ms passes every change through at once, and never reports a non-change', () => {
    const { d, changes } = rig(0);
    d.feed(false);
    d.feed(true);
    d.feed(true);
    d.feed(false);
    assert.deepEqual(changes, [true, false]);
  });

  it('reset sets a level without an event and cancels a pending one', () => {
    const { d, timers, changes } = rig(50);
    d.feed(true);
    d.reset(true);
    timers.advance(100);
    assert.deepEqual(changes, []);
    assert.equal(d.value, true);
  });
});
