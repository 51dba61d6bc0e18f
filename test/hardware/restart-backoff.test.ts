/** The restart helper on a stepped clock: no sleeping, every wait checked by moving time by hand. */
import assert from 'node:assert/strict';
import { RestartBackoff, type RestartBackoffOptions } from '../../src/hardware/restart-backoff.js';
import { ManualTimers } from './gpio/manual-timers.js';

describe('hardware/restart-backoff', () => {
  let timers: ManualTimers;
  let runs: number;

  const make = (over: Partial<RestartBackoffOptions> = {}, attempt?: () => void | Promise<void>) => {
    const b = new RestartBackoff(
      { initialMs: 100, maxMs: 1000, timers, ...over },
      attempt ??
        (() => {
          runs++;
        }),
    );
    b.start();
    return b;
  };

  /** Moves time to just before and just after the wait, and checks the attempt ran only after. */
  const expectWait = (ms: number) => {
    const before = runs;
    timers.advance(ms - 1);
    assert.equal(runs, before, `not before ${ms} ms`);
    timers.advance(1);
    assert.equal(runs, before + 1, `after ${ms} ms`);
  };

  beforeEach(() => {
    timers = new ManualTimers();
    runs = 0;
  });

  it('doubles the wait per failed attempt up to the cap', () => {
    const b = make();
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      assert.equal(b.nextDelayMs, [100, 200, 400, 800, 1000, 1000][i]);
      const armed = b.schedule();
      assert.notEqual(armed, null);
      waits.push(armed!);
      expectWait(armed!);
      assert.equal(b.attempts, i + 1);
    }
    assert.deepEqual(waits, [100, 200, 400, 800, 1000, 1000]);
  });

  it('honours another growth factor', () => {
    const b = make({ initialMs: 10, maxMs: 10_000, factor: 3 });
    const waits = [0, 1, 2, 3].map(() => {
      const w = b.schedule()!;
      timers.advance(w);
      return w;
    });
    assert.deepEqual(waits, [10, 30, 90, 270]);
  });

  it('succeeded() resets the wait and the attempt count', () => {
    const b = make();
    for (let i = 0; i < 3; i++) timers.advance(b.schedule()!);
    assert.equal(b.attempts, 3);
    assert.equal(b.nextDelayMs, 800);
    b.succeeded();
    assert.equal(b.attempts, 0);
    assert.equal(b.schedule(), 100);
    expectWait(100);
  });

  it('one pending attempt at a time: a burst of failures schedules one retry', () => {
    const b = make();
    assert.equal(b.schedule(), 100);
    assert.equal(b.schedule(), null);
    assert.equal(b.schedule(), null);
    assert.equal(b.pending, true);
    assert.equal(timers.pending(), 1);
    timers.advance(10_000);
    assert.equal(runs, 1);
    assert.equal(b.attempts, 1);
    assert.equal(b.pending, false);
  });

  it('stop() cancels the pending attempt and refuses new ones until start()', () => {
    const b = make();
    b.schedule();
    b.stop();
    assert.equal(timers.pending(), 0);
    assert.equal(b.pending, false);
    assert.equal(b.schedule(), null, 'a late failure after stop schedules nothing');
    timers.advance(10_000);
    assert.equal(runs, 0);
    b.start();
    assert.equal(b.attempts, 0);
    assert.equal(b.schedule(), 100);
    expectWait(100);
  });

  it('is inert until start()', () => {
    const b = new RestartBackoff({ initialMs: 100, maxMs: 1000, timers }, () => {
      runs++;
    });
    assert.equal(b.schedule(), null);
    assert.equal(timers.pending(), 0);
  });

  it('cancel() drops the pending attempt but keeps the count', () => {
    const b = make();
    timers.advance(b.schedule()!);
    b.schedule();
    b.cancel();
    timers.advance(10_000);
    assert.equal(runs, 1);
    assert.equal(b.attempts, 2);
    assert.equal(b.schedule(), 400, 'still armed, and the count goes on');
  });

  it('the attempt may schedule the next one itself (a failure seen while retrying)', () => {
    const b = make({}, () => {
      runs++;
      if (runs < 3) b.schedule();
      else b.succeeded();
    });
    b.schedule();
    expectWait(100);
    expectWait(200);
    expectWait(400);
    assert.equal(b.pending, false);
    assert.equal(b.attempts, 0);
  });

  it('an attempt that throws or rejects is retried and reported', async () => {
    const errors: string[] = [];
    let mode: 'throw' | 'reject' | 'ok' = 'throw';
    const b = make({ onError: (e) => errors.push((e as Error).message) }, () => {
      runs++;
      if (mode === 'throw') throw new Error('thrown');
      if (mode === 'reject') return Promise.reject(new Error('rejected'));
      return Promise.resolve();
    });
    b.schedule();
    expectWait(100);
    assert.deepEqual(errors, ['thrown']);
    assert.equal(b.pending, true, 'the throw scheduled a retry');
    mode = 'reject';
    expectWait(200);
    await Promise.resolve(); // the rejection is seen on the next microtask
    await Promise.resolve();
    assert.deepEqual(errors, ['thrown', 'rejected']);
    assert.equal(b.pending, true, 'the rejection scheduled a retry');
    mode = 'ok';
    expectWait(400);
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(b.pending, false);
    assert.equal(errors.length, 2);
  });

  it('jitter shortens each wait by up to its fraction, never lengthens it', () => {
    let r = 0;
    const b = make({ jitter: 0.5, random: () => r });
    r = 0;
    assert.equal(b.schedule(), 100);
    timers.advance(100);
    r = 1;
    assert.equal(b.schedule(), 100, '200 less half');
    timers.advance(100);
    r = 0.5;
    assert.equal(b.schedule(), 300, '400 less a quarter');
    assert.equal(b.lastDelayMs, 300);
    expectWait(300);
    b.succeeded();
    r = 0.999;
    const w = b.schedule()!;
    assert.ok(w >= 50 && w <= 100, String(w));
  });

  it('a huge attempt count stays at the cap', () => {
    const b = make({ initialMs: 1, maxMs: 5000 });
    for (let i = 0; i < 2000; i++) timers.advance(b.schedule()!);
    assert.equal(b.attempts, 2000);
    assert.equal(b.nextDelayMs, 5000);
    assert.equal(b.schedule(), 5000);
  });
});
