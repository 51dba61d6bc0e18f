/**
 * systemd notification (sd_notify) for `Type=notify` with `WatchdogSec=`: READY=1 once the door
 * and HTTP are up, WATCHDOG=1 from the event loop at half the watchdog interval (a blocked loop
 * sends none, so systemd kills and restarts the service; the lock is fail-secure meanwhile),
 * STATUS= lines, STOPPING=1 on shutdown. A no-op without NOTIFY_SOCKET.
 *
 * Node has no AF_UNIX datagram sockets, and the kept packages for them are native addons that
 * need a compiler at install. So the messages go through systemd's own `systemd-notify`, present
 * wherever systemd is, with `--pid=` naming this process; the unit sets `NotifyAccess=all` so
 * systemd accepts a message from that short-lived child (it still checks the sender is in the
 * service's cgroup). One spawn every few seconds is negligible next to the door's work.
 */
import { spawn } from 'node:child_process';

export interface NotifierOptions {
  env?: NodeJS.ProcessEnv;
  /** The notify command; tests substitute a recorder. */
  command?: string;
  pid?: number;
  onError?: (err: Error) => void;
  setInterval?: typeof setInterval;
  clearInterval?: typeof clearInterval;
}

export class SystemdNotifier {
  readonly enabled: boolean;
  /** Half the watchdog interval in ms, or null when systemd asked for no watchdog. */
  readonly watchdogPingMs: number | null;
  private readonly command: string;
  private readonly pid: number;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;

  constructor(private readonly opts: NotifierOptions = {}) {
    const env = opts.env ?? process.env;
    this.enabled = Boolean(env.NOTIFY_SOCKET);
    this.command = opts.command ?? 'systemd-notify';
    this.pid = opts.pid ?? process.pid;
    const usec = Number(env.WATCHDOG_USEC);
    // WATCHDOG_PID, when set, names the process the watchdog is meant for.
    const forUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === this.pid;
    this.watchdogPingMs =
      this.enabled && forUs && Number.isFinite(usec) && usec > 0 ? Math.max(50, usec / 2000) : null;
  }

  /** Sends one notification (e.g. 'READY=1', 'STATUS=…'); never throws. */
  notify(...assignments: string[]): void {
    if (!this.enabled || assignments.length === 0) return;
    // A hung systemd-notify must not pile up children: at most a few at once.
    if (this.inFlight >= 4) return;
    this.inFlight++;
    try {
      const child = spawn(this.command, [`--pid=${this.pid}`, ...assignments.map(oneLine)], {
        stdio: 'ignore',
        env: this.opts.env ?? process.env,
      });
      child.once('error', (err) => {
        this.inFlight--;
        this.opts.onError?.(err);
      });
      child.once('exit', () => {
        this.inFlight--;
      });
    } catch (err) {
      this.inFlight--;
      this.opts.onError?.(err as Error);
    }
  }

  ready(status: string): void {
    this.notify('READY=1', `STATUS=${status}`);
    this.startWatchdog();
  }

  status(status: string): void {
    this.notify(`STATUS=${status}`);
  }

  stopping(): void {
    this.stopWatchdog();
    this.notify('STOPPING=1', 'STATUS=stopping');
  }

  private startWatchdog(): void {
    if (this.watchdogPingMs === null || this.timer) return;
    const every = this.opts.setInterval ?? setInterval;
    // Sent from a timer on the event loop: if the loop blocks, the pings stop.
    this.timer = every(() => this.notify('WATCHDOG=1'), this.watchdogPingMs);
    this.timer.unref?.();
  }

  private stopWatchdog(): void {
    if (!this.timer) return;
    (this.opts.clearInterval ?? clearInterval)(this.timer);
    this.timer = null;
  }
}

/** A STATUS= value must stay on one line. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
