/**
 * A USB-CDC (or RS-232) QR scanner that writes each code as one terminated line: a CredentialReader
 * over `serialport`. The port may come and go (unplugged, re-enumerated): start() never fails for
 * a missing port; it retries with backoff and health says 'down' until the port is open again.
 * Lines are framed by ScannerLines (overlong and non-printable lines dropped); the same code seen
 * again within `debounceMs` of its last sighting is one scan (continuous-mode scanners repeat a
 * code several times a second while it is held under them). Scanned text is a credential: it is
 * never logged.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import type { ModuleHealth } from '../../lifecycle.js';
import type { Credential, CredentialReader, ReaderFeedback } from '../interfaces.js';
import { ScannerLines, type Terminator } from './scanner-lines.js';

export interface SerialScannerOptions {
  /** /dev/ttyACM0, or a stable /dev/serial/by-id/... link. */
  path: string;
  baudRate: number;
  terminator: Terminator;
  /** Longer lines are dropped (a pass is 147 characters). */
  maxLineLength: number;
  debounceMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

export const SERIAL_SCANNER_DEFAULTS: Omit<SerialScannerOptions, 'path'> = {
  baudRate: 9600,
  terminator: 'any',
  maxLineLength: 512,
  debounceMs: 2000,
  reconnectMinMs: 250,
  reconnectMaxMs: 5000,
};

export class SerialQrScanner extends EventEmitter<{ credential: [Credential] }> implements CredentialReader {
  private port: SerialPort | null = null;
  private open = false;
  private running = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private lastError = '';
  private readonly lines: ScannerLines;
  private readonly seen = new Map<string, number>();
  private readonly mono: () => number;
  /** Times the port was (re)opened; tests and health read it. */
  opens = 0;

  constructor(
    readonly id: string,
    private readonly opts: SerialScannerOptions,
    private readonly logger?: Logger,
    mono?: () => number,
  ) {
    super();
    this.lines = new ScannerLines(opts.terminator, opts.maxLineLength);
    this.mono = mono ?? (() => performance.now());
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const port = this.port;
    this.detach();
    if (port?.isOpen) {
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
  }

  health(): ModuleHealth {
    if (!this.running) return { state: 'stopped' };
    const s = this.lines.stats;
    const dropped = s.overlong + s.garbage;
    if (this.open) {
      return {
        state: 'ok',
        detail: `${this.opts.path} @${this.opts.baudRate}${dropped ? `, ${dropped} junk lines dropped` : ''}`,
      };
    }
    return { state: 'down', detail: `${this.opts.path}: ${this.lastError || 'opening'}; retrying` };
  }

  /** Serial scanners here have no host-driven LED or beeper; the door's own feedback is enough. */
  feedback(_result: ReaderFeedback): void {}

  private connect(): void {
    this.retryTimer = null;
    if (!this.running) return;
    const port = new SerialPort({ path: this.opts.path, baudRate: this.opts.baudRate, autoOpen: false });
    this.port = port;
    port.on('data', (chunk: Buffer) => {
      if (port === this.port) this.onData(chunk);
    });
    port.on('error', (err: Error) => this.down(port, err.message));
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) =>
      this.down(port, err?.disconnected ? 'disconnected' : (err?.message ?? 'closed')),
    );
    port.open((err) => {
      if (port !== this.port) {
        // stop() or a failure overtook this attempt.
        if (!err && port.isOpen) port.close(() => undefined);
        return;
      }
      if (err) {
        this.down(port, err.message);
        return;
      }
      this.open = true;
      this.attempt = 0;
      this.opens++;
      this.lastError = '';
      this.lines.reset();
      this.logger?.info({ reader: this.id, path: this.opts.path }, 'QR scanner connected');
    });
  }

  /** The current port failed or closed: drop it and try again later. */
  private down(port: SerialPort, why: string): void {
    if (port !== this.port) return;
    const wasOpen = this.open;
    this.detach();
    if (port.isOpen) port.close(() => undefined);
    this.lastError = why;
    if (wasOpen) this.logger?.warn({ reader: this.id, path: this.opts.path, why }, 'QR scanner lost');
    if (!this.running) return;
    const delay = Math.min(
      this.opts.reconnectMaxMs,
      this.opts.reconnectMinMs * 2 ** Math.min(this.attempt, 16),
    );
    this.attempt++;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private detach(): void {
    const port = this.port;
    this.port = null;
    this.open = false;
    this.lines.reset();
    if (port) {
      port.removeAllListeners('data');
      // Keep a listener: an 'error' with none would be thrown by the emitter.
      port.removeAllListeners('error');
      port.removeAllListeners('close');
      port.on('error', () => undefined);
    }
  }

  private onData(chunk: Buffer): void {
    for (const line of this.lines.push(chunk)) {
      const text = line.trim();
      if (!text) continue;
      const now = this.mono();
      const last = this.seen.get(text);
      // Sliding: a code held under the scanner stays one scan however long it is held.
      this.seen.set(text, now);
      if (last !== undefined && now - last < this.opts.debounceMs) continue;
      if (this.seen.size > 64) {
        for (const [k, t] of this.seen) if (now - t >= this.opts.debounceMs) this.seen.delete(k);
      }
      try {
        this.emit('credential', { kind: 'qr', value: text, readerId: this.id });
      } catch (err) {
        // A listener's fault must not take the port down; the door fails secure on its own.
        this.logger?.error({ err, reader: this.id }, 'credential listener failed');
      }
    }
  }
}
