/** A pid file in the data directory: offline commands refuse to write while the service runs. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether `pid` is a live jurukunci. A pid file survives a power cut, and after the reboot its pid
 * may belong to anything else; a stale file must never keep the door controller from starting.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return false; // a zombie: killed, not yet reaped
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /jurukunci|cli\/main\.[jt]s/.test(cmdline);
  } catch {
    // No /proc (not Linux): trust the signal check.
    return true;
  }
}

export function runningPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'jurukunci.pid'), 'utf8').trim());
    return pid > 0 && pid !== process.pid && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

export function takeLock(dataDir: string): () => void {
  const other = runningPid(dataDir);
  if (other) throw new Error(`another jurukunci (pid ${other}) is using ${dataDir}`);
  const file = join(dataDir, 'jurukunci.pid');
  writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

/**
 * Runs an offline command holding the data dir's lock. While the service runs on that dir it is
 * refused (exit 1) with `whileRunning` telling the operator what to do instead.
 */
export async function withServiceStopped(
  dataDir: string,
  whileRunning: string,
  fn: () => number | Promise<number>,
): Promise<number> {
  const pid = runningPid(dataDir);
  if (pid) {
    process.stderr.write(`jurukunci is running (pid ${pid}) on ${dataDir}; ${whileRunning}\n`);
    return 1;
  }
  const release = takeLock(dataDir);
  try {
    return await fn();
  } finally {
    release();
  }
}
