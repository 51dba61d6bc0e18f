/**
 * The embedded broker's logins, made at first start and kept in `<dataDir>/keys/mqtt-broker.json`
 * (directory 700, file 600): the door's own (so a door restarted after a crash can log in to the
 * broker process that outlived it) and a read-only dashboard login, shown once at first start like
 * the setup token. A dashboard login in the configuration replaces the generated one.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrokerLogin } from './embedded-broker.js';

export interface BrokerLogins {
  door: BrokerLogin;
  dashboard: BrokerLogin;
  /** The dashboard login was made just now and not configured: announce it once. */
  created: boolean;
}

export function keysDir(dataDir: string): string {
  return join(dataDir, 'keys');
}

const makeLogin = (prefix: string): BrokerLogin => ({
  username: `${prefix}-${randomBytes(4).toString('hex')}`,
  password: randomBytes(24).toString('base64url'),
});

function isLogin(v: unknown): v is BrokerLogin {
  const o = v as Partial<BrokerLogin> | null;
  return typeof o?.username === 'string' && o.username !== '' && typeof o.password === 'string';
}

/** Reads the stored logins, or makes and stores them; `configured` overrides the dashboard's. */
export function loadBrokerLogins(dataDir: string, configured: BrokerLogin | null): BrokerLogins {
  const dir = keysDir(dataDir);
  const file = join(dir, 'mqtt-broker.json');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let stored: { door?: unknown; dashboard?: unknown } = {};
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
  } catch {
    // Missing or unreadable: made again below (a broker that outlived the door is then replaced).
  }
  let created = false;
  const door = isLogin(stored.door) ? stored.door : makeLogin('jurukunci-door');
  let dashboard = isLogin(stored.dashboard) ? stored.dashboard : null;
  if (!dashboard) {
    dashboard = makeLogin('dashboard');
    created = true;
  }
  if (created || !isLogin(stored.door)) {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ door, dashboard }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  }
  if (configured) return { door, dashboard: configured, created: false };
  return { door, dashboard, created };
}
