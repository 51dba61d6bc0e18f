/**
 * Is the system's time synchronised? Asked by the clock guard (clock-guard.ts) to end an
 * untrusted-clock episode and to re-anchor expiry. systemd's own answer first
 * (`timedatectl show -p NTPSynchronized --value`: the kernel's "synchronised" flag, which a hand
 * `date -s` clears), then chrony's. Asynchronous with a short timeout: it never holds up a tap.
 */
import { execFile } from 'node:child_process';

const TIMEOUT_MS = 3000;

function run(cmd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: TIMEOUT_MS }, (err, stdout) => resolve(err ? null : stdout));
  });
}

export async function systemTimeSynchronised(): Promise<boolean> {
  const systemd = await run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value']);
  if (systemd !== null) return systemd.trim() === 'yes';
  const chrony = await run('chronyc', ['-n', 'tracking']);
  return chrony !== null && /^Leap status\s*:\s*Normal/m.test(chrony);
}
