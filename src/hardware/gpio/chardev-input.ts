/**
 * A digital input on a chardev line: `gpioget` reads the level at start and after a restart, one
 * long-running `gpiomon` streams its edges into the debouncer. A dead gpiomon is restarted with
 * backoff; meanwhile the line keeps its last debounced level and health says so.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { createInterface } from 'node:readline';
import type { ModuleHealth } from '../../lifecycle.js';
import type { DigitalInput } from '../interfaces.js';
import { RestartBackoff } from '../restart-backoff.js';
import { Debouncer, type DebounceTimers } from './debounce.js';
import {
  type Bit,
  type GpioBias,
  gpiogetArgs,
  gpiomonArgs,
  parseGpioget,
  parseMonLine,
} from './gpiod-parse.js';
import {
  type ChardevContext,
  exitDetail,
  runTool,
  spawnTool,
  stopChild,
  TOOL_RESTART_FIRST_MS,
  TOOL_RESTART_MAX_MS,
} from './gpiod-process.js';

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
  private readonly restarts: RestartBackoff;

  constructor(
    private readonly opts: ChardevInputOptions,
    private readonly ctx: ChardevContext,
  ) {
    super();
    this.id = opts.id;
    this.restarts = new RestartBackoff(
      { initialMs: ctx.restartDelayMs ?? TOOL_RESTART_FIRST_MS, maxMs: TOOL_RESTART_MAX_MS },
      () => this.restart(),
    );
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
    this.restarts.start();
    // gpioget must finish first: the line is requested exclusively by one process at a time.
    // An edge between the two requests is missed; the next edge puts the level right again.
    await this.spawnMonitor();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.restarts.stop();
    this.debouncer?.cancel();
    const m = this.monitor;
    this.monitor = null;
    if (m) await stopChild(m);
  }

  health(): ModuleHealth {
    if (!this.running) return { state: 'stopped' };
    const where = `chardev ${this.chip} line ${this.opts.pin} via gpiomon`;
    if (this.fault) {
      const n = this.restarts.attempts;
      return {
        state: this.monitor ? 'degraded' : 'down',
        detail: `${where}: ${this.fault}${n ? ` (restart attempt ${n})` : ''}`,
      };
    }
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
    const tool = spawnTool('gpiomon', args, this.ctx.env, 'pipe');
    const child = tool.child;
    this.monitor = child;
    // readline copes with several events in one chunk and one event split over two.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const ev = parseMonLine(line);
      if (!ev || ev.offset !== this.opts.pin) return;
      this.debouncer?.feed(this.logical(ev.rising ? 1 : 0));
    });
    child.on('exit', (code, signal) => {
      if (this.monitor !== child) return;
      this.monitor = null;
      this.onFault(exitDetail('gpiomon', tool, code, signal));
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
    if (this.running) this.restarts.schedule();
  }

  /** The backoff's attempt; a failure here schedules the next one through onFault. */
  private async restart(): Promise<void> {
    if (!this.running || this.monitor) return;
    try {
      // Edges were missed while gpiomon was down: read the level and report a change, if any.
      this.debouncer?.feed(await this.readLine());
      if (!this.running) return;
      await this.spawnMonitor();
      this.fault = null;
      this.restarts.succeeded();
    } catch (err) {
      this.onFault(`restart failed: ${(err as Error).message}`);
    }
  }
}
