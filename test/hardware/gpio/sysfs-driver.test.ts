/**
 * The onoff (sysfs) driver. Two halves:
 * - real onoff against a fake /sys/class/gpio tree, mounted at the real path in a private mount
 *   namespace (`unshare --mount`, as root) in a child process (sysfs-child.ts). Levels, direction,
 *   export/unexport and polling inputs are real file I/O through onoff. The kernel's side (export
 *   creating gpioN/) is played by the child. Edge interrupts cannot be simulated: epoll refuses
 *   regular files (EPERM), so there the driver takes its polling fallback, which is what runs.
 * - the interrupt path, debounce and write faults with a fake onoff Gpio and stepped timers.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type OnoffGpio,
  type OnoffModule,
  SysfsInput,
  SysfsRelay,
} from '../../../src/hardware/gpio/sysfs-driver.js';
import { ManualTimers } from './manual-timers.js';

const CHILD = fileURLToPath(new URL('./sysfs-child.ts', import.meta.url));

function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function fakeTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jk-sysfs-'));
  writeFileSync(join(dir, 'export'), '');
  writeFileSync(join(dir, 'unexport'), '');
  const chip = (name: string, label: string, base: number, ngpio: number) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'label'), `${label}\n`);
    writeFileSync(join(dir, name, 'base'), `${base}\n`);
    writeFileSync(join(dir, name, 'ngpio'), `${ngpio}\n`);
  };
  // A Pi 4 on kernel 6.6+.
  chip('gpiochip512', 'pinctrl-bcm2711', 512, 58);
  chip('gpiochip570', 'raspberrypi-exp-gpio', 570, 8);
  return dir;
}

describe('gpio sysfs driver: real onoff on a fake /sys/class/gpio (mount namespace)', () => {
  let tree = '';
  let seen: Record<string, unknown> = {};
  const at = <T = Record<string, unknown>>(k: string) => seen[k] as T;

  before(async function () {
    if (!canUnshare()) this.skip(); // needs root (CAP_SYS_ADMIN) for a private mount namespace
    tree = fakeTree();
    const script =
      'mount -t tmpfs jk-sys-class /sys/class && mkdir /sys/class/gpio && mount --bind "$1" /sys/class/gpio && exec "$2" --import tsx "$3" "$4"';
    const wired = JSON.stringify({ 534: '1' }); // exit button pulled up at rest
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          script,
          'sh',
          tree,
          process.execPath,
          CHILD,
          wired,
        ],
        { timeout: 60_000 },
        (err, out, errOut) => (err && !out ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)),
      );
    });
    const last = stdout.trim().split('\n').at(-1);
    if (!last) throw new Error('child printed nothing');
    seen = JSON.parse(last);
    if (seen.error) throw new Error(`child failed: ${seen.error}`);
  });

  after(() => {
    if (tree) rmSync(tree, { recursive: true, force: true });
  });

  it('runs against the fake tree at the real path', () => {
    assert.deepEqual(at<string[]>('chips').sort(), ['gpiochip512', 'gpiochip570']);
  });

  it('active-high relay: exports base+BCM (512+17), comes up locked (0) as an output, unlocks to 1', () => {
    assert.deepEqual(at('relayStarted'), {
      value: '0',
      direction: 'out',
      edge: 'none',
      activeLow: '0',
      get: false,
    });
    assert.deepEqual(at('relayUnlocked'), { value: '1', direction: 'out', edge: 'none', get: true });
    assert.equal(at('relayRelocked').value, '0');
  });

  it('relay stop drives the locked level and stays exported (the line stays driven)', () => {
    assert.deepEqual(at('relayStopped'), {
      value: '0',
      direction: 'out',
      edge: 'none',
      exported: true,
      get: false,
    });
  });

  it('a stopped relay refuses to unlock', () => {
    assert.deepEqual(at('relayAfterStopSet'), { value: '0', direction: 'out', edge: 'none', get: false });
    assert.equal(at('relayHealth').state, 'stopped');
  });

  it('restarting over a line left high (still exported) drives it locked', () => {
    assert.equal(at('relayRestart').value, '0');
  });

  it('active-low relay: locked is 1, unlocked is 0, stop returns to 1', () => {
    assert.equal(at('lowStarted').value, '1');
    assert.equal(at('lowUnlocked').value, '0');
    assert.equal(at('lowStopped').value, '1');
  });

  it('inputs export as inputs with both edges; initial levels read (active-low button at rest = released)', () => {
    const s = at<{
      contact: Record<string, unknown>;
      button: Record<string, unknown>;
      health: { detail: string };
    }>('inputsStarted');
    assert.deepEqual(s.contact, { value: '0', direction: 'in', edge: 'both', read: false });
    assert.deepEqual(s.button, { value: '1', direction: 'in', edge: 'both', read: false });
    // epoll refuses a regular file: the polling fallback is what runs here, and health says so.
    assert.match(s.health.detail, /polling every 2 ms/);
  });

  it('input changes on the value file become debounced change events', () => {
    assert.equal(seen.contactOpen, true);
    assert.equal(seen.contactRead, true);
    assert.equal(seen.contactClosed, false);
    assert.equal(seen.buttonPressed, true, 'active low: 0 = pressed');
    assert.equal(seen.buttonReleased, false);
    assert.equal(seen.tamper, true);
    assert.equal(seen.fire, true);
    assert.equal(seen.fireRead, true);
  });

  it('inputs unexport on stop; the relay never does', () => {
    assert.deepEqual(at('inputsStopped'), { contactExported: false, health: { state: 'stopped' } });
    assert.equal(seen.unexportFile, '536'); // the last input stopped; 529/517 never written
  });
});

// --- the interrupt path and faults, with a fake onoff ---

class FakeGpio implements OnoffGpio {
  level: 0 | 1;
  writes: (0 | 1)[] = [];
  failWrites = false;
  watcher: ((err: Error | null | undefined, v: 0 | 1) => void) | null = null;
  unexported = false;
  constructor(
    readonly n: number,
    readonly direction: string,
    readonly edge: string | undefined,
    initial: 0 | 1,
  ) {
    this.level = direction === 'high' ? 1 : direction === 'low' ? 0 : initial;
  }
  readSync(): 0 | 1 {
    return this.level;
  }
  writeSync(v: 0 | 1): void {
    if (this.failWrites) throw new Error('EIO');
    this.level = v;
    this.writes.push(v);
  }
  watch(cb: (err: Error | null | undefined, v: 0 | 1) => void): void {
    this.watcher = cb;
  }
  unwatchAll(): void {
    this.watcher = null;
  }
  unexport(): void {
    this.unexported = true;
  }
  /** An edge interrupt, as onoff reports it (value read after the edge). */
  edgeTo(v: 0 | 1): void {
    this.level = v;
    this.watcher?.(null, v);
  }
}

function fakeOnoff(initial: 0 | 1 = 0) {
  const made: FakeGpio[] = [];
  const mod: OnoffModule = {
    Gpio: class {
      constructor(n: number, direction: string, edge?: string) {
        const g = new FakeGpio(n, direction, edge, initial);
        made.push(g);
        // biome-ignore lint/correctness/noConstructorReturn: hand back the fake as onoff's Gpio
        return g;
      }
    } as unknown as OnoffModule['Gpio'],
  };
  const ctx = { gpioNumber: async (pin: number) => 512 + pin, loadOnoff: async () => mod };
  return { made, ctx };
}

describe('gpio sysfs driver: interrupt path and faults (fake onoff)', () => {
  it('relay asks onoff for a glitch-free locked start: direction "low" (active high) / "high" (active low)', async () => {
    for (const activeLow of [false, true]) {
      const { made, ctx } = fakeOnoff();
      const relay = new SysfsRelay({ id: 'lock', pin: 17, activeLow }, ctx);
      await relay.start();
      assert.equal(made[0]!.n, 529);
      assert.equal(made[0]!.direction, activeLow ? 'high' : 'low');
      assert.equal(made[0]!.level, activeLow ? 1 : 0);
    }
  });

  it('a failed write leaves the relay reported locked, drives the locked level, and shows in health', async () => {
    const { made, ctx } = fakeOnoff();
    const relay = new SysfsRelay({ id: 'lock', pin: 17, activeLow: false }, ctx);
    await relay.start();
    relay.set(true);
    assert.equal(made[0]!.level, 1);
    made[0]!.failWrites = true;
    relay.set(false);
    assert.equal(relay.get(), false);
    assert.equal(relay.health().state, 'degraded');
    made[0]!.failWrites = false;
    relay.set(true); // the line works again: the fault clears
    assert.equal(relay.health().state, 'ok');
    assert.equal(made[0]!.level, 1);
  });

  it('a failed unlock write stays locked', async () => {
    const { made, ctx } = fakeOnoff();
    const relay = new SysfsRelay({ id: 'lock', pin: 17, activeLow: false }, ctx);
    await relay.start();
    made[0]!.failWrites = true;
    relay.set(true);
    assert.equal(relay.get(), false);
    assert.match(relay.health().detail ?? '', /write failed/);
  });

  it('input uses edge interrupts when onoff can watch, and debounces them', async () => {
    const { made, ctx } = fakeOnoff(0);
    const timers = new ManualTimers();
    const input = new SysfsInput(
      { id: 'door-contact', pin: 27, activeLow: false, debounceMs: 30, pollMs: 10, timers },
      ctx,
    );
    const changes: boolean[] = [];
    input.on('change', (v) => changes.push(v));
    await input.start();
    const g = made[0]!;
    assert.equal(g.edge, 'both');
    assert.match(input.health().detail ?? '', /edge interrupts/);
    // Contact bounce: 1,0,1 within the window, then quiet.
    g.edgeTo(1);
    timers.advance(10);
    g.edgeTo(0);
    timers.advance(10);
    g.edgeTo(1);
    timers.advance(29);
    assert.deepEqual(changes, []);
    assert.equal(input.read(), false);
    timers.advance(1);
    assert.deepEqual(changes, [true]);
    assert.equal(input.read(), true);
    // A glitch shorter than the window is no change at all.
    g.edgeTo(0);
    timers.advance(5);
    g.edgeTo(1);
    timers.advance(100);
    assert.deepEqual(changes, [true]);
    await input.stop();
    assert.equal(g.unexported, true);
    assert.equal(timers.pending(), 0);
  });

  it('a line without an edge file falls back to polling (and says so in health)', async () => {
    const { made, ctx } = fakeOnoff(1);
    let attempts = 0;
    const Real = (await ctx.loadOnoff()).Gpio;
    const mod: OnoffModule = {
      // A line whose `edge` file is missing: onoff throws when asked for edges.
      Gpio: class {
        constructor(n: number, dir: 'in', edge?: 'both') {
          attempts++;
          if (edge) throw new Error("ENOENT: no such file 'edge'");
          // biome-ignore lint/correctness/noConstructorReturn: hand back the fake as onoff's Gpio
          return new Real(n, dir, edge);
        }
      } as unknown as OnoffModule['Gpio'],
    };
    const input = new SysfsInput(
      { id: 'fire-alarm', pin: 24, activeLow: true, debounceMs: 0, pollMs: 1000 },
      { ...ctx, loadOnoff: async () => mod },
    );
    await input.start();
    assert.equal(attempts, 2);
    assert.equal(made[0]!.edge, undefined);
    assert.equal(input.read(), false, 'active low: 1 = inactive');
    assert.match(input.health().detail ?? '', /polling every 1000 ms/);
    await input.stop();
  });
});
