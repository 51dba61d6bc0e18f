/**
 * Keeps a serial port open: opens it, and when it fails or goes away (unplugged, re-enumerated)
 * reopens it with exponential backoff (the drivers' one RestartBackoff). Says 'open' with the port
 * and 'lost' with why; start() never fails for a missing port. The firmware bridge's link and the
 * serial QR scanner both stand on it.
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { RestartBackoff } from './restart-backoff.js';

export interface SerialKeeperOptions {
  path: string;
  baudRate: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

export class SerialKeeper extends EventEmitter<{ open: [SerialPort]; lost: [string] }> {
  private port: SerialPort | null = null;
  private running = false;
  private readonly reopen: RestartBackoff;
  isOpen = false;
  lastError = '';
  opens = 0;

  /** Reopen attempts since the port was last open (health: "attempt N"). */
  get attempts(): number {
    return this.reopen.attempts;
  }

  constructor(private readonly opts: SerialKeeperOptions) {
    super();
    this.reopen = new RestartBackoff({ initialMs: opts.reconnectMinMs, maxMs: opts.reconnectMaxMs }, () =>
      this.connect(),
    );
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.reopen.start();
    this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.reopen.stop();
    const port = this.port;
    this.detach();
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private connect(): void {
    if (!this.running) return;
    const port = new SerialPort({ path: this.opts.path, baudRate: this.opts.baudRate, autoOpen: false });
    this.port = port;
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
      this.isOpen = true;
      this.reopen.succeeded();
      this.lastError = '';
      this.opens++;
      this.emit('open', port);
    });
  }

  private down(port: SerialPort, why: string): void {
    if (port !== this.port) return;
    const wasOpen = this.isOpen;
    this.detach();
    if (port.isOpen) port.close(() => undefined);
    this.lastError = why;
    if (wasOpen) this.emit('lost', why);
    if (this.running) this.reopen.schedule();
  }

  private detach(): void {
    const port = this.port;
    this.port = null;
    this.isOpen = false;
    if (!port) return;
    port.unpipe();
    port.removeAllListeners('data');
    port.removeAllListeners('error');
    port.removeAllListeners('close');
    // Keep a listener: an 'error' with none would be thrown by the emitter.
    port.on('error', () => undefined);
  }
}
