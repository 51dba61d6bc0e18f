/**
 * The journal's signed checkpoints: an Ed25519 device key, kept apart from the journal files
 * (`<dataDir>/keys/journal-signing.key`, mode 600 in a 700 directory; the public half beside it
 * for export), signs the head (door, seq, hash) now and then (checkpoint-writer.ts). Anyone with
 * the public key can tell a journal rewritten without the key from the one the device wrote
 * (journal-verify.ts). What this does and does not protect against: docs/journal-threat-model.md.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readFileOrNull, writeFileDurably } from './durable-file.js';
import { canonicalJson } from './journal-chain.js';

export const CHECKPOINT_KEY_FILE = 'journal-signing.key';
export const CHECKPOINT_PUBLIC_KEY_FILE = 'journal-signing.pub';
/** Domain separation: a checkpoint signature is good for nothing else the key might sign. */
const CONTEXT = Buffer.from('jurukunci/journal-checkpoint/v1\0', 'latin1');

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

/** The key's id: the first 16 hex digits of sha256 over its SPKI DER (as pass keys are named). */
export function keyIdOf(pub: KeyObject): string {
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

function message(door: string, seq: number, hash: string): Buffer {
  return Buffer.concat([CONTEXT, Buffer.from(canonicalJson({ door, seq, hash }), 'utf8')]);
}

export function signCheckpoint(key: KeyObject, door: string, seq: number, hash: string): string {
  return sign(null, message(door, seq, hash), key).toString('base64');
}

/** Never throws: a malformed signature or key is simply not a good signature. */
export function verifyCheckpoint(
  pub: KeyObject,
  c: { door: string; seq: number; hash: string; signature: string },
): boolean {
  try {
    return verify(null, message(c.door, c.seq, c.hash), pub, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Loads the device key from `keyDir`, or makes one (private mode 600, public 644). */
export function loadOrCreateSigningKey(keyDir: string): SigningKey & { created: boolean } {
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  const keyFile = join(keyDir, CHECKPOINT_KEY_FILE);
  const pem = readFileOrNull(keyFile);
  let priv: KeyObject;
  const created = pem === null;
  if (pem === null) {
    priv = generateKeyPairSync('ed25519').privateKey;
    // writeFileDurably creates the file with mode 600 before any byte is written.
    writeFileDurably(keyFile, priv.export({ type: 'pkcs8', format: 'pem' }) as string);
  } else {
    if ((statSync(keyFile).mode & 0o777) !== 0o600) chmodSync(keyFile, 0o600);
    priv = createPrivateKey(pem);
    if (priv.asymmetricKeyType !== 'ed25519') throw new Error('journal signing key is not Ed25519');
  }
  const pub = createPublicKey(priv);
  const pubPem = pub.export({ type: 'spki', format: 'pem' }) as string;
  const pubFile = join(keyDir, CHECKPOINT_PUBLIC_KEY_FILE);
  if (readFileOrNull(pubFile) !== pubPem) writeFileDurably(pubFile, pubPem);
  chmodSync(pubFile, 0o644);
  return { privateKey: priv, publicKey: pub, keyId: keyIdOf(pub), created };
}

/** A public key from a PEM file (SPKI), or null when the file is absent. */
export function readPublicKey(file: string): KeyObject | null {
  const pem = readFileOrNull(file);
  return pem === null ? null : createPublicKey(pem);
}
