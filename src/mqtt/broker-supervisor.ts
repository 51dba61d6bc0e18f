/**
 * Runs the embedded broker as a supervised child process (broker-main.ts), outside the door's
 * heap. The child is detached (its own process group) and not tied to the door's stdio, so a door
 * killed with SIGKILL — or a door whose heap a client filled — leaves the broker serving, with
 * the QoS 1 messages it holds for persistent sessions. A restarted door reads the broker's pid
 * file, checks that the process there is its broker (alive, same spec, accepts the door's login)
 * and reuses it; otherwise it starts a new one. A broker that dies is restarted with backoff
 * (restart-backoff.ts) on the port it had. A clean stop of the door stops the broker too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connectAsync } from 'mqtt';
import type { Logger } from 'pino';
import { RestartBackoff } from '../hardware/restart-backoff.js';
import {
  type BrokerSpec,
  brokerLogFile,
  pidFile,
  readPidFile,
  removePidFile,
  specHash,
  writeLaunch,
} from './broker-files.js';

export interface BrokerSupervisorOptions {
  dataDir: string;
  spec: BrokerSpec;
  logger: Logger;
  /** How long a new broker process may take to listen (tsx compiles on the fly in dev). */
  startTimeoutMs?: number;
}

export interface BrokerStatus {
  state: 'running' | 'restarting' | 'stopped';
  pid: number | null;
  /** Found running at start (it outlived the previous door process) rather than started. */
  adopted: boolean;
  restarts: number;
  lastExit: string | null;
}

/** Whether a process with this pid exists (EPERM: it does, but is not ours to signal). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This build's broker entry: the .js next to this file, or the .ts through tsx in dev and tests. */
function brokerCommand(): { command: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  const entry = join(dirname(here), `broker-main${ext}`);
  // Its own heap cap: what the broker holds is bounded well below it (broker-limits.ts).
  const node = ['--max-old-space-size=96'];
  if (ext === '.ts') node.push('--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href);
  return { command: process.execPath, args: [...node, entry] };
}

export class BrokerSupervisor {
  private child: ChildProcess | null = null;
  private adoptedPid: number | null = null;
  private watch: NodeJS.Timeout | null = null;
  private port = 0;
  private pinnedPortFailed = false;
  private restarts = 0;
  private lastExit: string | null = null;
  private stopping = true;
  private readonly hash: string;
  private readonly backoff: RestartBackoff;

  constructor(private readonly opts: BrokerSupervisorOptions) {
    this.hash = specHash(opts.spec);
    this.backoff = new RestartBackoff(
      {
        initialMs: 500,
        maxMs: 30_000,
        jitter: 0.2,
        onError: (err) =>
          opts.logger.error({ err: (err as Error).message }, 'embedded MQTT broker did not restart'),
      },
      () => this.restart(),
    );
  }

  get url(): string {
    const h = this.opts.spec.host;
    return `mqtt://${h.includes(':') ? `[${h}]` : h}:${this.port}`;
  }

  get pid(): number | null {
    return this.child?.pid ?? this.adoptedPid;
  }

  status(): BrokerStatus {
    const pid = this.pid;
    return {
      state: this.stopping ? 'stopped' : pid !== null ? 'running' : 'restarting',
      pid,
      adopted: this.adoptedPid !== null,
      restarts: this.restarts,
      lastExit: this.lastExit,
    };
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.backoff.start();
    const found = readPidFile(this.opts.dataDir);
    if (found && alive(found.pid) && (await this.accepts(found.host, found.port))) {
      if (found.specHash === this.hash && found.host === this.opts.spec.host) {
        this.port = found.port;
        this.adopt(found.pid);
        this.opts.logger.info(
          { pid: found.pid, url: this.url },
          'embedded MQTT broker from before this start reused (what it queued is kept)',
        );
        return;
      }
      // Our broker, started with another configuration: replace it.
      this.opts.logger.warn({ pid: found.pid }, 'embedded MQTT broker configuration changed; restarting it');
      await this.terminate(found.pid);
    }
    const keep = found && found.host === this.opts.spec.host && this.opts.spec.port === 0 ? found.port : 0;
    await this.launch(this.opts.spec.port || keep);
  }

  /** Whether the broker at host:port takes the door's login (the pid file may name another process). */
  private async accepts(host: string, port: number): Promise<boolean> {
    try {
      const c = await connectAsync(`mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`, {
        ...this.opts.spec.door,
        clientId: `jk-probe-${process.pid}`,
        reconnectPeriod: 0,
        connectTimeout: 3000,
        protocolVersion: 4,
      });
      await c.endAsync(true);
      return true;
    } catch {
      return false;
    }
  }

  private adopt(pid: number): void {
    this.adoptedPid = pid;
    // Not our child: no exit event. Look every second.
    this.watch = setInterval(() => {
      if (alive(pid)) return;
      this.clearWatch();
      this.adoptedPid = null;
      this.exited(`broker process ${pid} is gone`);
    }, 1000);
    this.watch.unref();
  }

  private clearWatch(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
  }

  private exited(why: string): void {
    if (this.stopping) return;
    this.lastExit = why;
    const delay = this.backoff.schedule();
    this.opts.logger.error({ why, retryMs: delay }, 'embedded MQTT broker stopped; restarting it');
  }

  private async restart(): Promise<void> {
    // The port it had, so clients find it again; once that fails, the configured one.
    const port = this.opts.spec.port || (this.pinnedPortFailed ? 0 : this.port);
    try {
      await this.launch(port);
    } catch (err) {
      if (port !== this.opts.spec.port) this.pinnedPortFailed = true;
      throw err;
    }
    this.pinnedPortFailed = false;
    this.restarts++;
    this.backoff.succeeded();
  }

  /** Starts a broker process on `port`; resolves once it listens. */
  private launch(port: number): Promise<void> {
    const file = writeLaunch(this.opts.dataDir, {
      spec: this.opts.spec,
      listenPort: port,
      specHash: this.hash,
      pidFile: pidFile(this.opts.dataDir),
    });
    const { command, args } = brokerCommand();
    // Its output goes to a file: a pipe to a door that died would break its writes.
    const log = openSync(brokerLogFile(this.opts.dataDir), 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(command, [...args, file], {
        detached: true,
        stdio: ['ignore', log, log, 'ipc'],
        env: { ...process.env, NODE_OPTIONS: '' },
      });
    } finally {
      closeSync(log);
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`embedded MQTT broker did not listen within ${this.startTimeoutMs} ms`));
      }, this.startTimeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        child.removeAllListeners();
        reject(err);
      };
      child.once('error', (err) => fail(err));
      child.once('exit', (code, signal) =>
        fail(
          new Error(
            `embedded MQTT broker exited before listening (${signal ?? `code ${code}`}); see ${brokerLogFile(this.opts.dataDir)}`,
          ),
        ),
      );
      child.once('message', (m: { ready?: boolean; port?: number }) => {
        if (!m?.ready || typeof m.port !== 'number') return;
        clearTimeout(timer);
        child.removeAllListeners();
        this.port = m.port;
        this.child = child;
        // From now on the broker lives on its own: no IPC, nothing keeping the door's loop alive.
        child.disconnect();
        child.unref();
        child.once('exit', (code, signal) => {
          if (this.child === child) this.child = null;
          this.exited(`broker process exited (${signal ?? `code ${code}`})`);
        });
        resolve();
      });
    });
  }

  private get startTimeoutMs(): number {
    return this.opts.startTimeoutMs ?? 30_000;
  }

  /** SIGTERM, then SIGKILL after three seconds; resolves once the process is gone. */
  private async terminate(pid: number): Promise<void> {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 60 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    if (alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
      for (let i = 0; i < 40 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    }
    removePidFile(pidFile(this.opts.dataDir), pid);
  }

  /** Stops the broker (a clean stop of the door); what it queued is then gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.backoff.stop();
    this.clearWatch();
    const pid = this.pid;
    this.child = null;
    this.adoptedPid = null;
    if (pid !== null) await this.terminate(pid);
  }
}
