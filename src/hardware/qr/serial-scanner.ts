/**
 * A USB-CDC (or RS-232) QR scanner that writes each code as one terminated line: a CredentialReader
 * over `serialport`. The port may come and go (unplugged, re-enumerated): start() never fails for
 * a missing port; it retries with backoff and health says 'down' until the port is open again.
 * Lines are framed by ScannerLines (overlong and non-printable lines dropped, at most
 * `maxLinesPerChunk` lines of one chunk read); the same code seen again within `debounceMs` of its
 * last sighting is one scan (ScanDebounce, at most `maxDebounceEntries` codes remembered). So a
 * scanner spewing thousands of lines at once cannot hold the event loop, and the door with it.
 * The port is kept open by SerialKeeper (reopened with backoff), as the bridge's is. Scanned text
 * is a credential: it is never logged.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { SerialPort } from 'serialport';
import type { ModuleHealth } from '../../lifecycle.js';
import type { Credential, CredentialReader, ReaderFeedback } from '../interfaces.js';
import { SerialKeeper } from '../serial-keeper.js';
import { ScanDebounce } from './scan-debounce.js';
import { type LineStats, ScannerLines, type Terminator } from './scanner-lines.js';

export interface SerialScannerOptions {
  /** /dev/ttyACM0, or a stable /dev/serial/by-id/... link. */
  path: string;
  baudRate: number;
  terminator: Terminator;
  /** Longer lines are dropped (a pass is 147 characters). */
  maxLineLength: number;
  debounceMs: number;
  /** Lines read from one chunk at most; the rest of it is dropped and counted (a flood). */
  maxLinesPerChunk: number;
  /** Codes the debounce remembers at most; the oldest is forgotten first. */
  maxDebounceEntries: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

export interface ScannerCounters extends LineStats {
  /** Codes the debounce remembers now (at most maxDebounceEntries). */
  debounceEntries: number;
  /** Codes forgotten while still inside their window, to stay within maxDebounceEntries. */
  debounceEvicted: number;
}

export const SERIAL_SCANNER_DEFAULTS: Omit<SerialScannerOptions, 'path'> = {
  baudRate: 9600,
  terminator: 'any',
  maxLineLength: 512,
  debounceMs: 2000,
  // A person scans a code every second or so; even a scanner that queued a few while the loop was
  // busy stays far below this.
  maxLinesPerChunk: 32,
  maxDebounceEntries: 256,
  reconnectMinMs: 250,
  reconnectMaxMs: 5000,
};

export class SerialQrScanner extends EventEmitter<{ credential: [Credential] }> implements CredentialReader {
  /** The open port lines are read from; null while the keeper reopens it. */
  private port: SerialPort | null = null;
  private running = false;
  private readonly lines: ScannerLines;
  private readonly debounce: ScanDebounce;
  private readonly keeper: SerialKeeper;
  private readonly mono: () => number;

  constructor(
    readonly id: string,
    private readonly opts: SerialScannerOptions,
    private readonly logger?: Logger,
    mono?: () => number,
  ) {
    super();
    this.lines = new ScannerLines(opts.terminator, opts.maxLineLength, opts.maxLinesPerChunk);
    this.debounce = new ScanDebounce(opts.debounceMs, opts.maxDebounceEntries);
    this.mono = mono ?? (() => performance.now());
    this.keeper = new SerialKeeper(opts);
    this.keeper.on('open', (port) => {
      this.port = port;
      this.lines.reset();
      port.on('data', (chunk: Buffer) => {
        if (port === this.port) this.onData(chunk);
      });
      this.logger?.info({ reader: this.id, path: this.opts.path }, 'QR scanner connected');
    });
    this.keeper.on('lost', (why) => {
      this.port = null;
      this.lines.reset();
      this.logger?.warn({ reader: this.id, path: this.opts.path, why }, 'QR scanner lost');
    });
  }

  /** Times the port was (re)opened; tests and health read it. */
  get opens(): number {
    return this.keeper.opens;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.keeper.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.port = null;
    this.lines.reset();
    await this.keeper.stop();
  }

  health(): ModuleHealth {
    if (!this.running) return { state: 'stopped' };
    const s = this.lines.stats;
    const dropped = s.overlong + s.garbage;
    if (this.keeper.isOpen) {
      const notes = [
        dropped ? `${dropped} junk lines dropped` : '',
        s.flooded ? `${s.flooded} lines dropped in floods` : '',
      ].filter(Boolean);
      return {
        state: 'ok',
        detail: `${this.opts.path} @${this.opts.baudRate}${notes.map((n) => `, ${n}`).join('')}`,
      };
    }
    const n = this.keeper.attempts;
    return {
      state: 'down',
      detail: `${this.opts.path}: ${this.keeper.lastError || 'opening'}; retrying${n ? ` (attempt ${n})` : ''}`,
    };
  }

  /** What the framing and the debounce have counted (health, tests). */
  counters(): ScannerCounters {
    return {
      ...this.lines.stats,
      debounceEntries: this.debounce.size,
      debounceEvicted: this.debounce.evicted,
    };
  }

  /** Serial scanners here have no host-driven LED or beeper; the door's own feedback is enough. */
  feedback(_result: ReaderFeedback): void {}

  private onData(chunk: Buffer): void {
    for (const line of this.lines.push(chunk)) {
      const text = line.trim();
      if (!text) continue;
      if (!this.debounce.admit(text, this.mono())) continue;
      try {
        this.emit('credential', { kind: 'qr', value: text, readerId: this.id });
      } catch (err) {
        // A listener's fault must not take the port down; the door fails secure on its own.
        this.logger?.error({ err, reader: this.id }, 'credential listener failed');
      }
    }
  }
}
