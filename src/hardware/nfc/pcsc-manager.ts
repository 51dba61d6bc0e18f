/**
 * One PC/SC context (one nfc-pcsc NFC instance) shared by every configured NFC reader. Readers
 * announced by pcscd are handed to the first configured reader whose name pattern matches.
 *
 * pcscd can die or restart under us. The native addon then reports an error and its reader-list
 * thread ends for good, so the manager closes that context and makes a new one with backoff —
 * the service itself keeps running, and each reader's health says what is missing.
 *
 * The addon's constructor spins in a tight loop while pcscd is unreachable (it retries
 * SCardEstablishContext with no pause), which would freeze the event loop and the door with it.
 * So a new context is only made once pcscd's socket accepts a connection.
 */
import { connect } from 'node:net';
import type { Logger } from 'pino';
import { type BackoffTimers, RestartBackoff } from '../restart-backoff.js';
import type { PcscContext, PcscContextFactory, PcscReader } from './pcsc-types.js';

/** What the manager needs from a configured reader. */
export interface PcscBinding {
  readonly id: string;
  /** True when this configured reader should take the PC/SC reader of that name. */
  matches(readerName: string): boolean;
  readonly boundName: string | null;
  bind(reader: PcscReader): void;
  unbind(reason: string): void;
}

export interface PcscManagerOptions {
  logger: Logger;
  /** Tests and the bench may inject a factory; the default lazy-imports nfc-pcsc. */
  factory?: PcscContextFactory;
  /** pcscd's client socket (PCSCLITE_CSOCK_NAME, as libpcsclite reads it). */
  socketPath?: string;
  backoffMs?: { first: number; max: number };
  /** Stepped timers for the reconnect backoff (tests); real timers unless told. */
  timers?: BackoffTimers;
}

export type PcscState = 'idle' | 'connecting' | 'up' | 'down';

export const DEFAULT_PCSCD_SOCKET = '/run/pcscd/pcscd.comm';

/** nfc-pcsc is optional (native addon, needs libpcsclite): load it only when an NFC reader is configured. */
export const importNfcPcsc: PcscContextFactory = async () => {
  // A variable specifier keeps TypeScript from resolving an untyped optional package.
  const name = 'nfc-pcsc';
  let mod: { NFC?: new () => PcscContext; default?: { NFC?: new () => PcscContext } };
  try {
    mod = await import(name);
  } catch (err) {
    throw new Error(
      `nfc-pcsc could not be loaded (install libpcsclite-dev, then npm rebuild @pokusew/pcsclite): ${(err as Error).message}`,
    );
  }
  const NFC = mod.NFC ?? mod.default?.NFC;
  if (!NFC) throw new Error('nfc-pcsc has no NFC export');
  return new NFC();
};

export function pcscdReachable(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(path);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export class PcscManager {
  private readonly bindings = new Set<PcscBinding>();
  private ctx: PcscContext | null = null;
  private readonly readers = new Map<string, { reader: PcscReader; binding: PcscBinding | null }>();
  private state: PcscState = 'idle';
  private lastError: string | null = null;
  private readonly restarts: RestartBackoff;
  private generation = 0;
  private readonly log: Logger;
  private readonly factory: PcscContextFactory;
  private readonly socketPath: string;

  constructor(opts: PcscManagerOptions) {
    this.log = opts.logger;
    this.factory = opts.factory ?? importNfcPcsc;
    this.socketPath = opts.socketPath ?? process.env.PCSCLITE_CSOCK_NAME ?? DEFAULT_PCSCD_SOCKET;
    const backoff = opts.backoffMs ?? { first: 200, max: 5000 };
    this.restarts = new RestartBackoff(
      { initialMs: backoff.first, maxMs: backoff.max, timers: opts.timers },
      () => this.reconnect(),
    );
  }

  /** The first attached reader starts the context; it is shared from then on. */
  async attach(binding: PcscBinding): Promise<void> {
    this.bindings.add(binding);
    if (this.state === 'idle') {
      this.state = 'connecting';
      this.restarts.start();
      await this.open();
    } else {
      for (const [name, entry] of this.readers) {
        if (!entry.binding && binding.matches(name) && !binding.boundName) this.offer(name, entry);
      }
    }
  }

  /** The last detached reader closes the context. */
  detach(binding: PcscBinding): void {
    this.bindings.delete(binding);
    for (const entry of this.readers.values()) if (entry.binding === binding) entry.binding = null;
    binding.unbind('stopped');
    if (this.bindings.size === 0) this.close();
  }

  /** `attempts`: reconnects tried since the context was last up. */
  health(): { state: PcscState; detail: string | null; readers: string[]; attempts: number } {
    return {
      state: this.state,
      detail: this.lastError,
      readers: [...this.readers.keys()],
      attempts: this.restarts.attempts,
    };
  }

  private async open(): Promise<void> {
    const gen = ++this.generation;
    if (!(await pcscdReachable(this.socketPath))) {
      if (gen !== this.generation) return;
      this.fail(`pcscd not reachable at ${this.socketPath}`);
      return;
    }
    let ctx: PcscContext;
    try {
      ctx = await this.factory();
    } catch (err) {
      if (gen !== this.generation) return;
      this.fail((err as Error).message);
      // A missing addon does not come back by retrying.
      if (/could not be loaded|no NFC export/.test((err as Error).message)) {
        this.restarts.cancel();
        throw err;
      }
      return;
    }
    if (gen !== this.generation || this.bindings.size === 0) {
      safeClose(ctx);
      return;
    }
    this.ctx = ctx;
    this.state = 'up';
    this.lastError = null;
    this.restarts.succeeded();
    this.log.info('PC/SC context up');
    ctx.on('reader', (reader: PcscReader) => {
      if (gen === this.generation) this.onReader(reader);
    });
    ctx.on('error', (err: Error) => {
      if (gen === this.generation) this.fail(`PC/SC: ${err.message}`);
    });
  }

  private onReader(reader: PcscReader): void {
    const name = reader.name;
    // nfc-pcsc would otherwise ask for the UID itself, and only of ISO 14443-3 cards.
    reader.autoProcessing = false;
    const entry = { reader, binding: null as PcscBinding | null };
    this.readers.set(name, entry);
    reader.on('end', () => {
      if (this.readers.get(name)?.reader !== reader) return;
      this.readers.delete(name);
      entry.binding?.unbind('reader removed');
      entry.binding = null;
      this.log.warn({ reader: name }, 'PC/SC reader removed');
    });
    // Errors are per tap or per reader; the context's own error drives the reconnect.
    reader.on('error', (err: Error) =>
      this.log.debug({ reader: name, err: err.message }, 'PC/SC reader error'),
    );
    this.offer(name, entry);
  }

  private offer(name: string, entry: { reader: PcscReader; binding: PcscBinding | null }): void {
    for (const b of this.bindings) {
      if (b.boundName || !b.matches(name)) continue;
      entry.binding = b;
      b.bind(entry.reader);
      this.log.info({ reader: name, id: b.id }, 'PC/SC reader bound');
      return;
    }
    this.log.info({ reader: name }, 'PC/SC reader not bound to any configured reader');
  }

  private fail(reason: string): void {
    if (this.state === 'idle') return;
    this.lastError = reason;
    if (this.state !== 'down') {
      this.log.warn({ reason, retryMs: this.restarts.nextDelayMs }, 'PC/SC down; reconnecting');
    }
    this.state = 'down';
    this.teardown(reason);
    this.restarts.schedule();
  }

  /** The backoff's attempt. A failure inside open() schedules the next one through fail(). */
  private reconnect(): void {
    if (this.state === 'idle') return;
    this.state = 'connecting';
    // Only a missing addon rejects, and it is not retried (see open()).
    this.open().catch((err: unknown) => this.log.error({ err }, 'PC/SC cannot start'));
  }

  private teardown(reason: string): void {
    this.generation++;
    for (const entry of this.readers.values()) {
      entry.binding?.unbind(reason);
      entry.reader.removeAllListeners();
      // The reader must keep an error listener: a late native error would otherwise throw.
      entry.reader.on('error', () => undefined);
      try {
        entry.reader.close();
      } catch {
        // already gone with its context
      }
    }
    this.readers.clear();
    const ctx = this.ctx;
    this.ctx = null;
    if (ctx) {
      ctx.removeAllListeners();
      ctx.on('error', () => undefined);
      safeClose(ctx);
    }
  }

  private close(): void {
    this.restarts.stop();
    this.teardown('stopped');
    this.state = 'idle';
    this.lastError = null;
  }
}

function safeClose(ctx: PcscContext): void {
  try {
    ctx.close();
  } catch {
    // a context whose daemon died may refuse to close; it is dropped either way
  }
}
