/** A pid file in the data directory: offline commands refuse to write while the service runs. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
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
