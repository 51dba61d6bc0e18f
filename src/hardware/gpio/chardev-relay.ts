/**
 * The lock relay on a chardev line: a long-running `gpioset --mode=signal` holds the level, and
 * each switch replaces it (libgpiod 1.6's gpioset cannot change a held value). Fail secure: a dead
 * gpioset reads as locked at once, and a fresh locked holder is spawned with backoff. See
 * chardev-driver.ts for why the tools, and why the relay input needs a pull to the locked level.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { ModuleHealth } from '../../lifecycle.js';
import type { Relay } from '../interfaces.js';
import { RestartBackoff } from '../restart-backoff.js';
import { type Bit, gpiosetArgs } from './gpiod-parse.js';
import {
  type ChardevContext,
  exitDetail,
  runTool,
  spawnTool,
  stopChild,
  TOOL_RESTART_FIRST_MS,
  TOOL_RESTART_MAX_MS,
} from './gpiod-process.js';

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
  private readonly restarts: RestartBackoff;

  constructor(
    private readonly opts: ChardevRelayOptions,
    private readonly ctx: ChardevContext,
  ) {
    this.id = opts.id;
    this.restarts = new RestartBackoff(
      { initialMs: ctx.restartDelayMs ?? TOOL_RESTART_FIRST_MS, maxMs: TOOL_RESTART_MAX_MS },
      () => this.respawnLocked(),
    );
  }

  private level(unlocked: boolean): Bit {
    return unlocked !== this.opts.activeLow ? 1 : 0;
  }

  async start(): Promise<void> {
    this.chip = await this.ctx.chip();
    this.target = false;
    this.fault = null;
    this.running = true;
    this.restarts.start();
    const child = await this.spawnHolder(false);
    if (!this.holder) {
      this.running = false;
      this.restarts.stop();
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
      this.restarts.stop();
      throw new Error(`relay ${this.id}: ${this.fault ?? 'gpioset exited at start'}`);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.target = false;
    this.restarts.stop();
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
    if (this.fault) {
      const n = this.restarts.attempts;
      return {
        state: this.holder ? 'degraded' : 'down',
        detail: `${where}: ${this.fault}${n ? ` (restart attempt ${n})` : ''}`,
      };
    }
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
    const tool = spawnTool('gpioset', args, this.ctx.env, 'ignore');
    const child = tool.child;
    const holder = { child, unlocked };
    this.holder = holder;
    child.on('exit', (code, signal) => {
      if (this.holder !== holder) return;
      this.holder = null;
      this.onFault(exitDetail('gpioset', tool, code, signal));
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
    if (this.running) this.restarts.schedule();
  }

  /** The backoff's attempt: a locked holder, queued behind any switch in flight. */
  private respawnLocked(): void {
    this.target = false;
    this.queue = this.queue
      .then(async () => {
        if (!this.running || this.holder) return;
        await this.spawnHolder(false);
        if (this.holder) this.restarts.succeeded();
      })
      .catch((err: unknown) => this.onFault(`restart failed: ${(err as Error).message}`));
  }
}
