/**
 * Writes signed checkpoints into the journal: after every `every` events, and at least every
 * `minutes` while events are written, a `journal.checkpoint` event carries the head before it
 * (seq, hash) signed by the device key (checkpoint-signer.ts). It listens to the journal's
 * 'appended' signal, so it sees only durable events, and writes synchronously: the checkpoint
 * follows the event that made it due.
 */
import type { Logger } from 'pino';
import type { JournalEvent } from '../domain/events.js';
import type { Lifecycle, ModuleHealth } from '../lifecycle.js';
import { loadOrCreateSigningKey, type SigningKey, signCheckpoint } from './checkpoint-signer.js';
import type { Journal } from './journal.js';

export interface CheckpointWriterOptions {
  journal: Journal;
  door: string;
  /** Where the device key lives: apart from the journal files. */
  keyDir: string;
  every: number;
  minutes: number;
  /** Monotonic milliseconds; injected by tests. */
  now?: () => number;
  logger?: Logger | undefined;
}

export class CheckpointWriter implements Lifecycle {
  private key: SigningKey | null = null;
  private since = 0;
  private lastAt = 0;
  private writing = false;
  private timer: NodeJS.Timeout | null = null;
  private error: string | null = null;
  private readonly now: () => number;
  private readonly onAppended = (ev: JournalEvent) => this.noted(ev);

  constructor(private readonly opts: CheckpointWriterOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  get keyId(): string | null {
    return this.key?.keyId ?? null;
  }

  async start(): Promise<void> {
    try {
      this.key = loadOrCreateSigningKey(this.opts.keyDir);
    } catch (err) {
      this.error = (err as Error).message;
      throw err;
    }
    this.lastAt = this.now();
    this.opts.journal.on('appended', this.onAppended);
    if (this.opts.minutes > 0) {
      // The minutes rule also holds when the journal goes quiet right after an event.
      this.timer = setInterval(() => this.due(), Math.min(60_000, this.opts.minutes * 60_000));
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.opts.journal.off('appended', this.onAppended);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  health(): ModuleHealth {
    if (this.error) return { state: 'down', detail: this.error };
    return this.key ? { state: 'ok', detail: `key ${this.key.keyId}` } : { state: 'stopped' };
  }

  /** Writes a checkpoint now if events were written since the last one; returns whether it did. */
  checkpoint(): boolean {
    const key = this.key;
    if (!key || this.writing || this.since === 0) return false;
    const { seq, hash } = this.opts.journal.head;
    this.writing = true;
    try {
      this.opts.journal.append({
        type: 'journal.checkpoint',
        data: {
          seq,
          hash,
          signature: signCheckpoint(key.privateKey, this.opts.door, seq, hash),
          keyId: key.keyId,
        },
      });
      return true;
    } catch (err) {
      // Not written: the next event tries again.
      this.opts.logger?.error({ err }, 'journal checkpoint not written');
      return false;
    } finally {
      this.writing = false;
    }
  }

  /** Checks the minutes rule (the interval timer; tests call it directly). */
  due(): void {
    if (this.opts.minutes > 0 && this.since > 0 && this.now() - this.lastAt >= this.opts.minutes * 60_000)
      this.checkpoint();
  }

  private noted(ev: JournalEvent): void {
    if (ev.type === 'journal.checkpoint') {
      this.since = 0;
      this.lastAt = this.now();
      return;
    }
    this.since++;
    if (this.opts.every > 0 && this.since >= this.opts.every) this.checkpoint();
    else this.due();
  }
}
