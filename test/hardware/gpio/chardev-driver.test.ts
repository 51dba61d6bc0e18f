/**
 * The character-device driver (Debian's gpiod tools): the relay and inputs driving fake
 * gpioset/gpiomon/gpioget/gpiodetect scripts on PATH (see fake-gpiod.ts) as real child processes.
 * No gpiochip exists on this machine and gpio-sim cannot be loaded (no modprobe, no modules), so
 * the tools themselves are faked. Command lines and output parsing: gpiod-parse.test.ts.
 */
import assert from 'node:assert/strict';
import {
  type ChardevContext,
  ChardevInput,
  ChardevRelay,
  resolveChardevChip,
} from '../../../src/hardware/gpio/chardev-driver.js';
import { FakeGpiod, waitFor } from './fake-gpiod.js';
import { PI5_DETECT } from './gpiodetect-fixtures.js';

describe('gpio chardev driver: against fake gpiod tools', () => {
  let fake: FakeGpiod;
  const stops: (() => Promise<void>)[] = [];
  const ctx = (over: Partial<ChardevContext> = {}): ChardevContext => ({
    chip: async () => 'gpiochip0',
    env: fake.env,
    restartDelayMs: 20,
    startSettleMs: 100,
    ...over,
  });

  beforeEach(() => {
    fake = new FakeGpiod();
  });

  afterEach(async () => {
    for (const s of stops.splice(0)) await s().catch(() => {});
    fake.cleanup();
  });

  it('finds the header chip with gpiodetect, or takes the configured one', async () => {
    fake.set('gpiodetect.out', PI5_DETECT);
    assert.equal(await resolveChardevChip('', '', fake.env), 'gpiochip0');
    assert.equal(await resolveChardevChip('/dev/gpiochip4', '', fake.env), '/dev/gpiochip4');
    fake.set('gpiodetect.out', 'gpiochip0 [gpio-mockup-A] (8 lines)\n');
    await assert.rejects(resolveChardevChip('', '', fake.env), /set hardware.gpio.chardevChip/);
  });

  for (const activeLow of [false, true]) {
    const L = (unlocked: boolean) => (unlocked !== activeLow ? 1 : 0);
    it(`relay (active-${activeLow ? 'low' : 'high'}): starts locked, switches, ends locked`, async () => {
      const relay = new ChardevRelay({ id: 'lock', pin: 17, activeLow }, ctx());
      stops.push(() => relay.stop());
      await relay.start();
      await waitFor(() => fake.holds().length === 1, 'first gpioset');
      assert.deepEqual(fake.holds(), [`--mode=signal gpiochip0 17=${L(false)}`]);
      assert.equal(relay.health().state, 'ok');
      relay.set(true);
      assert.equal(relay.get(), true);
      // settled() means the new gpioset was spawned; the script logs a moment later.
      await relay.settled();
      await waitFor(() => fake.holds().length === 2, 'unlocking gpioset');
      relay.set(false);
      await relay.settled();
      await waitFor(() => fake.holds().length === 3, 'relocking gpioset');
      await relay.stop();
      const calls = fake.setCalls();
      assert.deepEqual(fake.holds(), [
        `--mode=signal gpiochip0 17=${L(false)}`,
        `--mode=signal gpiochip0 17=${L(true)}`,
        `--mode=signal gpiochip0 17=${L(false)}`,
        `--mode=exit gpiochip0 17=${L(false)}`,
      ]);
      // Each holder was released before the next one asked for the line.
      assert.equal(calls.filter((c) => c === 'released').length, 3);
      assert.equal(relay.get(), false);
      assert.equal(relay.health().state, 'stopped');
    });
  }

  it('switches asked for while one is in flight coalesce to the last one', async () => {
    const relay = new ChardevRelay({ id: 'lock', pin: 17, activeLow: false }, ctx());
    stops.push(() => relay.stop());
    await relay.start();
    relay.set(true);
    relay.set(false);
    relay.set(true);
    await relay.settled();
    await waitFor(() => fake.holds().at(-1) === '--mode=signal gpiochip0 17=1', 'the last switch held');
    // At most: the locked start, and one holder per switch that was not coalesced.
    assert.ok(fake.holds().length <= 4, fake.holds().join('\n'));
    await relay.stop();
    assert.equal(fake.holds().at(-1), '--mode=exit gpiochip0 17=0');
  });

  it('gpioset dying while unlocked: reported locked at once, health down, respawned locked', async () => {
    const relay = new ChardevRelay({ id: 'lock', pin: 17, activeLow: false }, ctx({ restartDelayMs: 200 }));
    stops.push(() => relay.stop());
    await relay.start();
    relay.set(true);
    await relay.settled();
    await waitFor(
      () =>
        fake.holds().length === 2 &&
        fake.file('gpioset.log').includes(`${fake.pid('gpioset.pid')} --mode=signal gpiochip0 17=1`),
      'unlocked holder',
    );
    process.kill(fake.pid('gpioset.pid'), 'SIGKILL');
    await waitFor(() => relay.health().state === 'down', 'health down');
    assert.equal(relay.get(), false);
    assert.match(relay.health().detail ?? '', /gpioset exited \(SIGKILL\)/);
    assert.match(relay.health().detail ?? '', /restart attempt 1\)$/);
    await waitFor(() => relay.health().state === 'ok', 'respawned');
    await waitFor(() => fake.holds().length === 3, 'respawned gpioset');
    assert.equal(fake.holds().at(-1), '--mode=signal gpiochip0 17=0');
  });

  it('a gpioset that fails at once (line busy) fails start with its message', async () => {
    fake.set('gpioset.fail', '');
    const relay = new ChardevRelay({ id: 'lock', pin: 17, activeLow: false }, ctx());
    await assert.rejects(relay.start(), /Device or resource busy/);
    assert.equal(relay.health().state, 'stopped');
    relay.set(true);
    assert.equal(relay.get(), false, 'a relay that never started cannot unlock');
  });

  it('input: initial level from gpioget, edges from gpiomon, other offsets and junk ignored', async () => {
    fake.set('level-27', '0\n');
    const input = new ChardevInput(
      { id: 'door-contact', pin: 27, activeLow: false, debounceMs: 0, bias: 'pull-up' },
      ctx(),
    );
    stops.push(() => input.stop());
    const changes: boolean[] = [];
    input.on('change', (v) => changes.push(v));
    await input.start();
    // The fake gpiomon empties its event file as it starts: wait for that before feeding it.
    await waitFor(() => fake.pid('gpiomon-27.pid') > 0, 'gpiomon running');
    assert.equal(input.read(), false);
    assert.deepEqual(fake.lines('gpioget'), ['--bias=pull-up gpiochip0 27']);
    assert.match(
      fake.lines('gpiomon')[0] ?? '',
      /--line-buffered --format=%o %e %s\.%n --bias=pull-up gpiochip0 27$/,
    );
    await fake.emit(27, 'garbage');
    await fake.emit(27, '5 1 10.0');
    await fake.emit(27, '27 1 10.000000001');
    await waitFor(() => changes.length === 1, 'open');
    await fake.emit(27, 'event:  FALLING EDGE offset: 27 timestamp: [      11.000000000]');
    await waitFor(() => changes.length === 2, 'closed');
    assert.deepEqual(changes, [true, false]);
    assert.equal(input.health().state, 'ok');
    await input.stop();
    assert.equal(input.health().state, 'stopped');
  });

  it('active-low input (exit button): released at 1, pressed on a falling edge', async () => {
    fake.set('level-22', '1\n');
    const input = new ChardevInput(
      { id: 'exit-button', pin: 22, activeLow: true, debounceMs: 0, bias: 'pull-up' },
      ctx(),
    );
    stops.push(() => input.stop());
    const changes: boolean[] = [];
    input.on('change', (v) => changes.push(v));
    await input.start();
    await waitFor(() => fake.pid('gpiomon-22.pid') > 0, 'gpiomon running');
    assert.equal(input.read(), false);
    await fake.emit(22, '22 0 3.0');
    await fake.emit(22, '22 1 3.1');
    await waitFor(() => changes.length === 2, 'press and release');
    assert.deepEqual(changes, [true, false]);
  });

  it('gpiomon dying: health shows it; the restart re-reads the level and reports what changed', async () => {
    fake.set('level-24', '0\n');
    const input = new ChardevInput(
      { id: 'fire-alarm', pin: 24, activeLow: false, debounceMs: 0, bias: 'as-is' },
      ctx({ restartDelayMs: 200 }),
    );
    stops.push(() => input.stop());
    const changes: boolean[] = [];
    input.on('change', (v) => changes.push(v));
    await input.start();
    await waitFor(() => fake.pid('gpiomon-24.pid') > 0, 'gpiomon running');
    fake.set('level-24', '1\n'); // the alarm went off while nobody was watching
    process.kill(fake.pid('gpiomon-24.pid'), 'SIGKILL');
    await waitFor(() => input.health().state === 'down', 'health down');
    assert.match(input.health().detail ?? '', /gpiomon exited/);
    assert.match(input.health().detail ?? '', /restart attempt 1\)$/);
    await waitFor(() => changes.length === 1, 'change after restart');
    assert.deepEqual(changes, [true]);
    await waitFor(() => input.health().state === 'ok', 'monitor back');
    await waitFor(() => fake.lines('gpiomon').length === 2, 'a second gpiomon');
  });
});
