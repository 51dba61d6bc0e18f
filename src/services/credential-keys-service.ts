/**
 * The master key behind genuine NFC badges (NTAG 424 DNA), in <dataDir>/keys/nfc-master.json
 * (mode 600, beside the QR pass signing key): the site's AN10922 system identifier, every master
 * key still honoured with its version, and the version new cards get. Made on first start when an
 * NFC reader with genuine cards is configured; `jurukunci keys rotate` adds a version (with the
 * service stopped) and makes it the enrolment version — cards on older versions keep working until
 * re-keyed, and the badge list marks them stale. Key bytes are never logged; only versions are.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { NfcCredentialsConfig } from '../config/schema.js';
import { keyMaterialErrors, type Ntag424KeyMaterial } from '../domain/credential-keys.js';
import type { Lifecycle, ModuleHealth } from '../lifecycle.js';
import { readFileOrNull, writeFileDurably } from '../store/durable-file.js';

export const NFC_KEY_FILE = 'nfc-master.json';

interface KeyFile {
  format: 1;
  /** Hex. */
  systemId: string;
  enrolVersion: number;
  masterKeys: { version: number; key: string; createdAt: string }[];
}

export function nfcKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', NFC_KEY_FILE);
}

function toMaterial(f: KeyFile): Ntag424KeyMaterial {
  return {
    systemId: Buffer.from(f.systemId, 'hex'),
    enrolVersion: f.enrolVersion,
    masterKeys: f.masterKeys.map((k) => ({ version: k.version, key: Buffer.from(k.key, 'hex') })),
  };
}

function readKeyFile(path: string): KeyFile | null {
  const text = readFileOrNull(path);
  if (text === null) return null;
  const f = JSON.parse(text) as KeyFile;
  if (f.format !== 1 || !Array.isArray(f.masterKeys)) throw new Error(`${path}: not a key file of format 1`);
  const errors = keyMaterialErrors(toMaterial(f));
  if (errors.length) throw new Error(`${path}: ${errors.join('; ')}`);
  return f;
}

function writeKeyFile(path: string, f: KeyFile): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  // writeFileDurably creates the file with mode 600 before any byte is written.
  writeFileDurably(path, `${JSON.stringify(f, null, 2)}\n`);
}

/** Reads the key file (tightening its mode to 600), or makes one with master key version 1. */
export function loadOrCreateNfcKeys(
  dataDir: string,
  clock: () => Date,
  logger?: Logger,
): { material: Ntag424KeyMaterial; created: boolean } {
  const path = nfcKeyPath(dataDir);
  const existing = readKeyFile(path);
  if (existing) {
    const mode = statSync(path).mode & 0o777;
    if (mode !== 0o600) {
      chmodSync(path, 0o600);
      logger?.warn({ mode: mode.toString(8) }, 'NFC master key file was not mode 600; tightened');
    }
    return { material: toMaterial(existing), created: false };
  }
  const f: KeyFile = {
    format: 1,
    systemId: randomBytes(16).toString('hex'),
    enrolVersion: 1,
    masterKeys: [{ version: 1, key: randomBytes(16).toString('hex'), createdAt: clock().toISOString() }],
  };
  writeKeyFile(path, f);
  logger?.info({ version: 1 }, 'NFC master key created');
  return { material: toMaterial(f), created: true };
}

/** Adds master key version n+1 and makes it the enrolment version. The file must exist. */
export function rotateNfcKeys(dataDir: string, clock: () => Date): { version: number; previous: number } {
  const path = nfcKeyPath(dataDir);
  const f = readKeyFile(path);
  if (!f) throw new Error(`${path} does not exist: start the service once with an NFC reader`);
  const previous = f.enrolVersion;
  const version = Math.max(...f.masterKeys.map((k) => k.version)) + 1;
  if (version > 255) throw new Error('master key versions 1 to 255 are used up');
  f.masterKeys.push({ version, key: randomBytes(16).toString('hex'), createdAt: clock().toISOString() });
  f.enrolVersion = version;
  writeKeyFile(path, f);
  return { version, previous };
}

export interface CredentialKeysDeps {
  dataDir: string;
  nfc: NfcCredentialsConfig;
  /** True when an NFC reader is configured (only then is a key needed). */
  nfcReaders: boolean;
  clock: () => Date;
  logger: Logger;
}

/** Starts before the readers: they read `material()` when a card arrives. */
export class CredentialKeysService implements Lifecycle {
  private keys: Ntag424KeyMaterial | null = null;
  private startError: string | null = null;

  constructor(private readonly deps: CredentialKeysDeps) {}

  get genuineRequired(): boolean {
    return !this.deps.nfc.accept.includes('uid');
  }

  get genuineAccepted(): boolean {
    return this.deps.nfc.accept.includes('ntag424');
  }

  /** Null when genuine cards are off, no NFC reader is configured, or the key could not be read. */
  material(): Ntag424KeyMaterial | null {
    return this.keys;
  }

  /** The version new and re-keyed cards get; badges on another version are stale. */
  enrolVersion(): number | null {
    return this.keys?.enrolVersion ?? null;
  }

  async start(): Promise<void> {
    if (!this.deps.nfcReaders || !this.genuineAccepted) return;
    try {
      this.keys = loadOrCreateNfcKeys(this.deps.dataDir, this.deps.clock, this.deps.logger).material;
      this.startError = null;
    } catch (err) {
      this.startError = (err as Error).message;
      throw err;
    }
  }

  async stop(): Promise<void> {
    // Nothing held open; the key stays in memory for a restart of the readers.
  }

  health(): ModuleHealth {
    const accept = this.deps.nfc.accept;
    if (this.startError) return { state: 'down', detail: this.startError };
    if (!this.genuineAccepted) {
      return { state: 'degraded', detail: 'INSECURE: NFC badges are accepted by UID alone (accept: uid)' };
    }
    const keyed = this.keys ? `, master key v${this.keys.enrolVersion}` : '';
    if (accept.includes('uid')) {
      return {
        state: 'degraded',
        detail: `migration: genuine NTAG 424 DNA badges, and INSECURE UID-only badges${keyed}`,
      };
    }
    return { state: 'ok', detail: `genuine NTAG 424 DNA badges only${keyed}` };
  }
}
