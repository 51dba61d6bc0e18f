/**
 * The files the door and its broker process share in the data directory: the spec the broker is
 * started with (`keys/mqtt-broker-spec.json`, 600: it holds the logins) and the pid file the
 * broker writes once it listens (`mqtt-broker.pid`: pid, address, the spec's hash), by which a
 * door restarted after a crash finds the broker that outlived it and reuses it.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrokerLimits } from './broker-limits.js';
import type { BrokerLogin } from './embedded-broker.js';

export interface BrokerSpec {
  host: string;
  /** The configured port (0: any free one). */
  port: number;
  base: string;
  root: string;
  doorClientId: string;
  discoveryNode: { prefix: string; node: string };
  door: BrokerLogin;
  dashboard: BrokerLogin;
  operators: BrokerLogin[];
  limits?: Partial<BrokerLimits>;
}

export interface BrokerPidFile {
  pid: number;
  host: string;
  port: number;
  specHash: string;
  startedAt: string;
}

export const specFile = (dataDir: string) => join(dataDir, 'keys', 'mqtt-broker-spec.json');
export const pidFile = (dataDir: string) => join(dataDir, 'mqtt-broker.pid');
export const brokerLogFile = (dataDir: string) => join(dataDir, 'mqtt-broker.log');

export function specHash(spec: BrokerSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 32);
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

/** The spec to start with, and the port to listen on this time (a restart keeps the old one). */
export interface BrokerLaunch {
  spec: BrokerSpec;
  listenPort: number;
  specHash: string;
  pidFile: string;
}

export function writeLaunch(dataDir: string, launch: BrokerLaunch): string {
  const file = specFile(dataDir);
  writeAtomic(file, JSON.stringify(launch));
  return file;
}

export function readLaunch(file: string): BrokerLaunch {
  return JSON.parse(readFileSync(file, 'utf8')) as BrokerLaunch;
}

export function writePidFile(file: string, content: BrokerPidFile): void {
  writeAtomic(file, `${JSON.stringify(content)}\n`);
}

export function readPidFile(dataDir: string): BrokerPidFile | null {
  try {
    const v = JSON.parse(readFileSync(pidFile(dataDir), 'utf8')) as Partial<BrokerPidFile>;
    if (!Number.isInteger(v.pid) || !Number.isInteger(v.port) || typeof v.specHash !== 'string') return null;
    return v as BrokerPidFile;
  } catch {
    return null;
  }
}

/** Removes the pid file if it still names `pid` (a newer broker's is left alone). */
export function removePidFile(file: string, pid: number): void {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<BrokerPidFile>;
    if (v.pid === pid) rmSync(file, { force: true });
  } catch {
    // Already gone.
  }
}
