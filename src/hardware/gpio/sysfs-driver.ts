/**
 * GPIO over the (deprecated) sysfs interface, through onoff. onoff is an optional dependency with
 * a native epoll addon, so it is imported only when this driver starts.
 *
 * Levels: the driver always programs active_low=0 and does the inversion itself, so the `value`
 * file holds the physical level and an active-low relay is just "locked = 1".
 *
 * Fail secure: the relay comes up at the locked level (direction 'high'/'low' sets direction and
 * level in one write, no glitch), returns to it on stop and on any write error, and refuses to
 * unlock while not started. It stays exported after stop on purpose: a sysfs export outlives the
 * process, so the line keeps being driven locked after the service exits, whereas unexporting
 * hands the pin back to the pin controller (an input on a Pi, floating unless pulled).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ModuleHealth } from '../../lifecycle.js';
import type { DigitalInput, Relay } from '../interfaces.js';
import { Debouncer, type DebounceTimers } from './debounce.js';

type Bit = 0 | 1;
type Edge = 'none' | 'rising' | 'falling' | 'both';

/** The part of onoff's Gpio this driver uses (typed here so compiling does not need onoff). */
export interface OnoffGpio {
  readSync(): Bit;
  writeSync(value: Bit): void;
  watch(callback: (err: Error | null | undefined, value: Bit) => void): void;
  unwatchAll(): void;
  unexport(): void;
}

export interface OnoffModule {
  Gpio: new (
    gpio: number,
    direction: 'in' | 'out' | 'high' | 'low',
    edge?: Edge,
    options?: { activeLow?: boolean; debounceTimeout?: number; reconfigureDirection?: boolean },
  ) => OnoffGpio;
}

/** Lazy import of the optional onoff package. */
export async function loadOnoff(): Promise<OnoffModule> {
  // A variable specifier keeps tsc from needing onoff's types when the optional install failed.
  const specifier = 'onoff';
  let mod: Partial<OnoffModule> & { default?: Partial<OnoffModule> };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (err) {
    throw new Error(
      `hardware.driver gpio-sysfs needs the optional dependency onoff (and its epoll addon): ${(err as Error).message}`,
    );
  }
  const Gpio = mod.Gpio ?? mod.default?.Gpio;
  if (!Gpio) throw new Error('onoff loaded but exports no Gpio');
  return { Gpio };
}

export interface SysfsContext {
  /** BCM pin → sysfs number (chip-base discovery; memoised by the factory). */
  gpioNumber(bcmPin: number): Promise<number>;
  loadOnoff(): Promise<OnoffModule>;
  logger?: Logger | undefined;
}

export interface SysfsRelayOptions {
  id: string;
  /** BCM number. */
  pin: number;
  /** true: the relay energises (unlocks) on a low line. */
  activeLow: boolean;
}

export class SysfsRelay implements Relay {
  readonly id: string;
  private gpio: OnoffGpio | null = null;
  private number: number | null = null;
  private unlocked = false;
  private fault: string | null = null;

  constructor(
    private readonly opts: SysfsRelayOptions,
    private readonly ctx: SysfsContext,
  ) {
    this.id = opts.id;
  }

  private level(unlocked: boolean): Bit {
    return unlocked !== this.opts.activeLow ? 1 : 0;
  }

  async start(): Promise<void> {
    const n = await this.ctx.gpioNumber(this.opts.pin);
    const { Gpio } = await this.ctx.loadOnoff();
    this.unlocked = false;
    this.fault = null;
    this.gpio = new Gpio(n, this.level(false) === 1 ? 'high' : 'low', undefined, { activeLow: false });
    this.number = n;
    // Already-exported lines keep their old level until written; write it once more to be sure.
    this.gpio.writeSync(this.level(false));
  }

  async stop(): Promise<void> {
    if (!this.gpio) return;
    this.driveLocked();
    this.gpio = null;
  }

  health(): ModuleHealth {
    if (!this.gpio) return { state: 'stopped' };
    const where = `sysfs gpio${this.number} (BCM ${this.opts.pin}, active-${this.opts.activeLow ? 'low' : 'high'})`;
    return this.fault
      ? { state: 'degraded', detail: `${where}: ${this.fault}` }
      : { state: 'ok', detail: where };
  }

  set(unlocked: boolean): void {
    if (!this.gpio) {
      // Not started (or stopped): nothing may unlock.
      this.unlocked = false;
      if (unlocked) this.ctx.logger?.warn({ relay: this.id }, 'unlock refused: relay not running');
      return;
    }
    try {
      this.gpio.writeSync(this.level(unlocked));
      this.unlocked = unlocked;
      this.fault = null;
    } catch (err) {
      this.fault = `write failed: ${(err as Error).message}`;
      this.ctx.logger?.error({ err, relay: this.id }, 'relay write failed; driving locked');
      this.driveLocked();
    }
  }

  get(): boolean {
    return this.unlocked;
  }

  private driveLocked(): void {
    this.unlocked = false;
    try {
      this.gpio?.writeSync(this.level(false));
    } catch (err) {
      const also = this.fault ? `${this.fault}; ` : '';
      this.fault = `${also}cannot drive locked level: ${(err as Error).message}`;
      this.ctx.logger?.error({ err, relay: this.id }, 'relay cannot drive the locked level');
    }
  }
}

export interface SysfsInputOptions {
  id: string;
  /** BCM number. */
  pin: number;
  /** true: the input is active (open / pressed / alarm) on a low line. */
  activeLow: boolean;
  debounceMs: number;
  /** Poll interval used when the line has no edge interrupts (no `edge` file, epoll refused). */
  pollMs: number;
  /** Injectable debounce timers for tests. */
  timers?: DebounceTimers;
}

export class SysfsInput extends EventEmitter<{ change: [boolean] }> implements DigitalInput {
  readonly id: string;
  private gpio: OnoffGpio | null = null;
  private number: number | null = null;
  private debouncer: Debouncer | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private mode: 'interrupt' | 'poll' = 'interrupt';
  private fault: string | null = null;

  constructor(
    private readonly opts: SysfsInputOptions,
    private readonly ctx: SysfsContext,
  ) {
    super();
    this.id = opts.id;
  }

  async start(): Promise<void> {
    const n = await this.ctx.gpioNumber(this.opts.pin);
    const { Gpio } = await this.ctx.loadOnoff();
    let edges = true;
    let gpio: OnoffGpio;
    try {
      gpio = new Gpio(n, 'in', 'both', { activeLow: false });
    } catch (err) {
      // Some lines have no `edge` file (no interrupt support): fall back to polling.
      this.ctx.logger?.warn({ err, input: this.id }, 'no edge interrupts on this line; polling');
      gpio = new Gpio(n, 'in', undefined, { activeLow: false });
      edges = false;
    }
    this.gpio = gpio;
    this.number = n;
    this.fault = null;
    this.debouncer = new Debouncer(
      this.logical(gpio.readSync()),
      this.opts.debounceMs,
      (v) => this.emit('change', v),
      this.opts.timers,
    );
    if (edges) {
      try {
        gpio.watch((err, value) => {
          if (err) this.onReadError(err);
          else this.debouncer?.feed(this.logical(value));
        });
      } catch (err) {
        // epoll refuses files that are not real sysfs attributes (EPERM), among others.
        this.ctx.logger?.warn({ err, input: this.id }, 'edge watch refused; polling');
        edges = false;
        // onoff registered the listener before epoll refused it; without clearing it, unexport()
        // would try to remove the fd from epoll, throw, and leave the line exported.
        try {
          gpio.unwatchAll();
        } catch {
          // the same refusal again; the listener list is cleared before it
        }
      }
    }
    this.mode = edges ? 'interrupt' : 'poll';
    if (!edges) {
      this.pollTimer = setInterval(() => this.poll(), this.opts.pollMs);
    }
  }

  async stop(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    this.debouncer?.cancel();
    const gpio = this.gpio;
    this.gpio = null;
    if (!gpio) return;
    try {
      gpio.unexport();
    } catch (err) {
      this.ctx.logger?.warn({ err, input: this.id }, 'input unexport failed');
    }
  }

  health(): ModuleHealth {
    if (!this.gpio) return { state: 'stopped' };
    const how = this.mode === 'poll' ? `polling every ${this.opts.pollMs} ms` : 'edge interrupts';
    const where = `sysfs gpio${this.number} (BCM ${this.opts.pin}), ${how}`;
    return this.fault
      ? { state: 'degraded', detail: `${where}: ${this.fault}` }
      : { state: 'ok', detail: where };
  }

  /** The debounced logical level; false before start. */
  read(): boolean {
    return this.debouncer?.value ?? false;
  }

  private logical(bit: Bit): boolean {
    return (bit === 1) !== this.opts.activeLow;
  }

  private poll(): void {
    if (!this.gpio) return;
    try {
      const bit = this.gpio.readSync();
      if (this.fault) this.fault = null;
      this.debouncer?.feed(this.logical(bit));
    } catch (err) {
      this.onReadError(err as Error);
    }
  }

  /** A line that cannot be read keeps its last debounced level; health says so. */
  private onReadError(err: Error): void {
    if (!this.fault) this.ctx.logger?.error({ err, input: this.id }, 'input read failed');
    this.fault = `read failed: ${err.message}`;
  }
}
