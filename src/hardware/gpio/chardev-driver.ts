/**
 * GPIO over the character device (/dev/gpiochipN), through Debian's `gpiod` tools (libgpiod 1.6):
 * a long-running `gpioset --mode=signal` holds the relay line, one `gpiomon` per input streams
 * edges, `gpioget` reads the level at start and after a restart, `gpiodetect` finds the chip.
 *
 * Why the tools and not an npm binding: the only maintained binding (node-libgpiod) is a nan addon
 * with no prebuilt binaries; installing it compiles against libgpiod-dev with node-gyp, which fetches
 * Node headers from outside the npm registry. The tools come from one Debian package (`apt-get
 * install gpiod`, the same libgpiod Raspberry Pi OS ships), need no compiler, and run in their own
 * processes: a crash there cannot take the door controller down, and it is seen (exit) and
 * recovered (respawn, locked). They are also testable here with fake executables on PATH.
 * The costs, accepted for a door: a relay switch spawns a process (milliseconds on a Pi), and
 * libgpiod 1.6's gpioset cannot change a held value, so each switch releases the line briefly. A
 * released chardev line is undefined (see `gpioset --help`), so wire the relay input with a pull
 * resistor to the locked level; that also covers boot, a crash and the service stopped.
 *
 * Inversion (active-low) is done here, not with `-l`, so both drivers mean the same thing by it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import type { ModuleHealth } from '../../lifecycle.js';
import type { DigitalInput, Relay } from '../interfaces.js';
import { PI_HEADER_CHIP_LABELS } from './chip-base.js';
import { Debouncer, type DebounceTimers } from './debounce.js';

type Bit = 0 | 1;
export type GpioBias = 'as-is' | 'pull-up' | 'pull-down' | 'disable';

/** gpiomon output format: offset, edge (1 rising, 0 falling), timestamp. */
export const MON_FORMAT = '%o %e %s.%n';

// --- command construction and output parsing (pure, unit-tested) ---

export function gpiosetArgs(chip: string, offset: number, level: Bit, mode: 'signal' | 'exit'): string[] {
  return [`--mode=${mode}`, chip, `${offset}=${level}`];
}

function biasArgs(bias: GpioBias): string[] {
  return bias === 'as-is' ? [] : [`--bias=${bias}`];
}

export function gpiomonArgs(chip: string, offset: number, bias: GpioBias): string[] {
  // --line-buffered: stdout is a pipe, and block buffering would hold events back.
  return ['--line-buffered', `--format=${MON_FORMAT}`, ...biasArgs(bias), chip, String(offset)];
}

export function gpiogetArgs(chip: string, offset: number, bias: GpioBias): string[] {
  return [...biasArgs(bias), chip, String(offset)];
}

export interface MonEvent {
  offset: number;
  rising: boolean;
  /** Kernel timestamp in seconds (monotonic clock). */
  sec: number;
}

/** One gpiomon line, in our --format or gpiomon 1.6's default format; null for anything else. */
export function parseMonLine(line: string): MonEvent | null {
  const ours = /^\s*(\d+) ([01]) (\d+)\.(\d{1,9})\s*$/.exec(line);
  if (ours) {
    return {
      offset: Number(ours[1]),
      rising: ours[2] === '1',
      sec: Number(`${ours[3]}.${ours[4]!.padStart(9, '0')}`),
    };
  }
  const dflt = /^event:\s+(RISING|FALLING) EDGE offset:\s*(\d+) timestamp:\s*\[\s*(\d+)\.(\d+)\]\s*$/.exec(
    line,
  );
  if (dflt)
    return { offset: Number(dflt[2]), rising: dflt[1] === 'RISING', sec: Number(`${dflt[3]}.${dflt[4]}`) };
  return null;
}

/** gpioget prints one 0/1 per requested line. */
export function parseGpioget(out: string): Bit | null {
  const m = /^\s*([01])\s*$/.exec(out);
  return m ? (Number(m[1]) as Bit) : null;
}

export interface DetectedChip {
  name: string;
  label: string;
  lines: number;
}

/** `gpiochip0 [pinctrl-bcm2711] (58 lines)` per line. */
export function parseGpiodetect(out: string): DetectedChip[] {
  const chips: DetectedChip[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\S+) \[(.*)\] \((\d+) lines\)\s*$/.exec(line.trim());
    if (m) chips.push({ name: m[1]!, label: m[2]!, lines: Number(m[3]) });
  }
  return chips;
}

/** The chip holding the Pi's header pins, from gpiodetect's list. */
export function pickHeaderChip(chips: DetectedChip[], label = ''): DetectedChip | null {
  for (const want of label ? [label] : PI_HEADER_CHIP_LABELS) {
    const c = chips.find((x) => x.label === want || x.label.startsWith(`${want}@`));
    if (c) return c;
  }
  return null;
}

// --- process plumbing ---

export interface ChardevContext {
  /** The chip argument for the tools (name, path, number or label); resolved once by the factory. */
  chip(): Promise<string>;
  /** Environment for the tools (PATH decides which gpioset runs). */
  env?: NodeJS.ProcessEnv | undefined;
  /** First restart delay after a tool died; doubles up to 30 s. */
  restartDelayMs?: number | undefined;
  /** How long start() watches a fresh gpioset for an immediate failure (busy line, bad chip). */
  startSettleMs?: number | undefined;
  logger?: Logger | undefined;
}

export function runTool(
  cmd: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: env ?? process.env, timeout: 5000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** Resolves the chip: as configured, or the Pi's header chip found by gpiodetect. */
export async function resolveChardevChip(
  configured: string,
  label: string,
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  if (configured) return configured;
  const { stdout } = await runTool('gpiodetect', [], env);
  const chip = pickHeaderChip(parseGpiodetect(stdout), label);
  if (!chip) {
    throw new Error(
      `gpiodetect lists no ${label || PI_HEADER_CHIP_LABELS.join('/')} chip; set hardware.gpio.chardevChip`,
    );
  }
  return chip.name;
}

function tail(buf: string, more: string): string {
  return (buf + more).slice(-500);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 2000);
  try {
    await exited;
  } finally {
    clearTimeout(force);
  }
}

export interface ChardevRelayOptions {
  id: string;
  /** BCM number = line offset on the header chip. */
  pin: number;
  activeLow: boolean;
}

export class ChardevRelay implements Relay {
  readonly id: string;
  private chip = '';
  private running = false;
  private target = false;
  private holder: { child: ChildProcess; unlocked: boolean } | null = null;
  private queue: Promise<void> = Promise.resolve();
  private fault: string | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartDelay: number;

  constructor(
    private readonly opts: ChardevRelayOptions,
    private readonly ctx: ChardevContext,
  ) {
    this.id = opts.id;
    this.restartDelay = ctx.restartDelayMs ?? 1000;
  }

  private level(unlocked: boolean): Bit {
    return unlocked !== this.opts.activeLow ? 1 : 0;
  }

  async start(): Promise<void> {
    this.chip = await this.ctx.chip();
    this.target = false;
    this.fault = null;
    this.running = true;
    const child = await this.spawnHolder(false);
    if (!this.holder) {
      this.running = false;
      this.clearRestart();
      throw new Error(`relay ${this.id}: ${this.fault ?? 'gpioset did not start'}`);
    }
    // gpioset says nothing on success; a busy line or a wrong chip makes it exit at once.
    const settle = this.ctx.startSettleMs ?? 150;
    const early = await Promise.race([
      once(child, 'exit').then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), settle).unref()),
    ]);
    if (early) {
      this.running = false;
      this.clearRestart();
      throw new Error(`relay ${this.id}: ${this.fault ?? 'gpioset exited at start'}`);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.target = false;
    this.clearRestart();
    await this.queue;
    await this.release();
    if (!this.chip) return;
    // Leave the locked level set as the line is released (undefined after that: see the top).
    try {
      await runTool(
        'gpioset',
        gpiosetArgs(this.chip, this.opts.pin, this.level(false), 'exit'),
        this.ctx.env,
      );
    } catch (err) {
      this.ctx.logger?.warn({ err, relay: this.id }, 'final locked write failed');
    }
  }

  health(): ModuleHealth {
    if (!this.running) return { state: 'stopped' };
    const where = `chardev ${this.chip} line ${this.opts.pin} (active-${this.opts.activeLow ? 'low' : 'high'}) via gpioset`;
    if (this.fault) return { state: this.holder ? 'degraded' : 'down', detail: `${where}: ${this.fault}` };
    return { state: 'ok', detail: where };
  }

  set(unlocked: boolean): void {
    if (!this.running) {
      this.target = false;
      if (unlocked) this.ctx.logger?.warn({ relay: this.id }, 'unlock refused: relay not running');
      return;
    }
    if (unlocked === this.target) return;
    this.target = unlocked;
    this.enqueue();
  }

  /** The commanded state; a dead gpioset drops it to locked. */
  get(): boolean {
    return this.target;
  }

  /** Resolves once every switch asked for so far has reached gpioset (tests, shutdown). */
  settled(): Promise<void> {
    return this.queue;
  }

  private enqueue(): void {
    this.queue = this.queue
      .then(() => this.apply())
      .catch((err: unknown) => this.onFault(`switch failed: ${(err as Error).message}`));
  }

  /** Brings the held line to the latest target; coalesces switches asked for meanwhile. */
  private async apply(): Promise<void> {
    if (!this.running) return;
    const want = this.target;
    if (this.holder && this.holder.unlocked === want) return;
    await this.release();
    if (!this.running) return;
    await this.spawnHolder(want);
  }

  private async release(): Promise<void> {
    const h = this.holder;
    this.holder = null; // before the kill, so its exit reads as intended
    if (h) await stopChild(h.child);
  }

  private async spawnHolder(unlocked: boolean): Promise<ChildProcess> {
    const args = gpiosetArgs(this.chip, this.opts.pin, this.level(unlocked), 'signal');
    const child = spawn('gpioset', args, {
      env: this.ctx.env ?? process.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = tail(stderr, d)));
    const holder = { child, unlocked };
    this.holder = holder;
    child.on('exit', (code, signal) => {
      if (this.holder !== holder) return;
      this.holder = null;
      this.onFault(`gpioset exited (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ''}`);
    });
    try {
      await once(child, 'spawn');
      if (this.holder === holder) this.fault = null;
    } catch (err) {
      if (this.holder === holder) this.holder = null;
      this.onFault(`gpioset did not start: ${(err as Error).message}`);
    }
    return child;
  }

  /** Fail secure: a dead or failed gpioset means locked, and a fresh locked holder soon. */
  private onFault(detail: string): void {
    this.fault = detail;
    this.target = false;
    this.ctx.logger?.error({ relay: this.id, detail }, 'relay line lost; relocking');
    if (!this.running || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restartDelay = Math.min(this.restartDelay * 2, 30_000);
      this.target = false;
      this.queue = this.queue
        .then(async () => {
          if (!this.running || this.holder) return;
          await this.spawnHolder(false);
          if (this.holder) this.restartDelay = this.ctx.restartDelayMs ?? 1000;
        })
        .catch((err: unknown) => this.onFault(`restart failed: ${(err as Error).message}`));
    }, this.restartDelay);
    this.restartTimer.unref();
  }

  private clearRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }
}

export interface ChardevInputOptions {
  id: string;
  /** BCM number = line offset on the header chip. */
  pin: number;
  activeLow: boolean;
  debounceMs: number;
  bias: GpioBias;
  timers?: DebounceTimers;
}

export class ChardevInput extends EventEmitter<{ change: [boolean] }> implements DigitalInput {
  readonly id: string;
  private chip = '';
  private running = false;
  private monitor: ChildProcess | null = null;
  private debouncer: Debouncer | null = null;
  private fault: string | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartDelay: number;

  constructor(
    private readonly opts: ChardevInputOptions,
    private readonly ctx: ChardevContext,
  ) {
    super();
    this.id = opts.id;
    this.restartDelay = ctx.restartDelayMs ?? 1000;
  }

  async start(): Promise<void> {
    this.chip = await this.ctx.chip();
    const initial = await this.readLine();
    this.debouncer = new Debouncer(
      initial,
      this.opts.debounceMs,
      (v) => this.emit('change', v),
      this.opts.timers,
    );
    this.fault = null;
    this.running = true;
    // gpioget must finish first: the line is requested exclusively by one process at a time.
    // An edge between the two requests is missed; the next edge puts the level right again.
    await this.spawnMonitor();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.debouncer?.cancel();
    const m = this.monitor;
    this.monitor = null;
    if (m) await stopChild(m);
  }

  health(): ModuleHealth {
    if (!this.running) return { state: 'stopped' };
    const where = `chardev ${this.chip} line ${this.opts.pin} via gpiomon`;
    if (this.fault) return { state: this.monitor ? 'degraded' : 'down', detail: `${where}: ${this.fault}` };
    return { state: 'ok', detail: where };
  }

  read(): boolean {
    return this.debouncer?.value ?? false;
  }

  private logical(bit: Bit): boolean {
    return (bit === 1) !== this.opts.activeLow;
  }

  private async readLine(): Promise<boolean> {
    const { stdout } = await runTool(
      'gpioget',
      gpiogetArgs(this.chip, this.opts.pin, this.opts.bias),
      this.ctx.env,
    );
    const bit = parseGpioget(stdout);
    if (bit === null) throw new Error(`gpioget: unexpected output ${JSON.stringify(stdout.slice(0, 40))}`);
    return this.logical(bit);
  }

  private async spawnMonitor(): Promise<void> {
    const args = gpiomonArgs(this.chip, this.opts.pin, this.opts.bias);
    const child = spawn('gpiomon', args, {
      env: this.ctx.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.monitor = child;
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = tail(stderr, d)));
    // readline copes with several events in one chunk and one event split over two.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const ev = parseMonLine(line);
      if (!ev || ev.offset !== this.opts.pin) return;
      this.debouncer?.feed(this.logical(ev.rising ? 1 : 0));
    });
    child.on('exit', (code, signal) => {
      if (this.monitor !== child) return;
      this.monitor = null;
      this.onFault(`gpiomon exited (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ''}`);
    });
    try {
      await once(child, 'spawn');
    } catch (err) {
      if (this.monitor === child) this.monitor = null;
      throw new Error(`input ${this.id}: gpiomon did not start: ${(err as Error).message}`);
    }
  }

  /** The line keeps its last debounced level while gpiomon is down; health says so. */
  private onFault(detail: string): void {
    this.fault = detail;
    this.ctx.logger?.error({ input: this.id, detail }, 'input monitor lost; restarting');
    if (!this.running || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restartDelay = Math.min(this.restartDelay * 2, 30_000);
      void this.restart();
    }, this.restartDelay);
    this.restartTimer.unref();
  }

  private async restart(): Promise<void> {
    if (!this.running || this.monitor) return;
    try {
      // Edges were missed while gpiomon was down: read the level and report a change, if any.
      this.debouncer?.feed(await this.readLine());
      if (!this.running) return;
      await this.spawnMonitor();
      this.fault = null;
      this.restartDelay = this.ctx.restartDelayMs ?? 1000;
    } catch (err) {
      this.onFault(`restart failed: ${(err as Error).message}`);
    }
  }
}
