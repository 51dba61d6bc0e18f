/**
 * The one-line summary systemd shows in `systemctl status jurukunci` (STATUS=): the door's mode,
 * lock and contact, how many are inside, and any module that is not ok. No names: it is
 * readable by anyone who can run systemctl on the host.
 */
import type { ModuleHealth } from './lifecycle.js';

export interface StatusInput {
  doorId: string;
  door: { mode: string; lock: string; contact: string; inside: number };
  modules: Record<string, ModuleHealth>;
  journalOk: boolean;
}

export function statusLine(s: StatusInput): string {
  const { mode, lock, contact, inside } = s.door;
  const bad = Object.entries(s.modules)
    .filter(([, h]) => h.state !== 'ok')
    .map(([name, h]) => `${name} ${h.state}`);
  if (!s.journalOk) bad.unshift('journal unavailable');
  const parts = [`door ${s.doorId}: ${mode}, ${lock}, ${contact}, ${inside} inside`];
  parts.push(bad.length ? `degraded: ${bad.join(', ')}` : 'all parts ok');
  return parts.join('; ');
}
