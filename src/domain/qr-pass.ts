/**
 * QR pass codec: a compact token signed with Ed25519 that a visitor can carry on paper instead of
 * (or beside) the issued badge. Pure: no I/O; keys and the clock are passed in.
 *
 * Text:    "JK1:" + base32(payload ‖ signature), RFC 4648 alphabet, no padding. Only A–Z, 2–7 and
 *          the prefix, so the whole text fits QR alphanumeric mode (5.5 bits a character): 147
 *          characters for the usual visit id, QR version 6 at ECC M.
 * Payload: u8 format (1) · 8 B pass id · visit id (u8 kind 1: u32 yyyymmdd + 3 B, the
 *          KNJ-YYYYMMDD-XXXXXX form; kind 2: u8 length + UTF-8, anything else up to 64 bytes) ·
 *          u32 not-before · u32 expiry (Unix seconds) · 64 B signature over CONTEXT ‖ door ‖ 0 ‖
 *          payload. The door id is signed in, not carried: a pass made for one door fails the
 *          signature at any other (a copied data directory with its key opens nothing elsewhere),
 *          and the text stays 147 characters.
 *
 * Verification checks the shape, then the signature, and only then the time window, so a forged
 * or altered pass is always "bad signature" whatever its claimed dates. It never throws.
 */
import { type KeyObject, sign, verify } from 'node:crypto';

export const PASS_PREFIX = 'JK1:';
const FORMAT = 1;
/** Domain separation: a signature made for a pass is useless for anything else the key might sign. */
const CONTEXT = Buffer.from('jurukunci/qr-pass/v1\0', 'latin1');
const SIG_BYTES = 64;
const PASS_ID_BYTES = 8;
const MAX_VISIT_ID_BYTES = 64;
/** Longest text looked at: a valid pass is well under it; longer input is refused unread. */
export const MAX_PASS_TEXT = 256;

const PASS_ID_RE = /^pas_[0-9a-f]{16}$/;
const COMPACT_VISIT_RE = /^KNJ-(\d{8})-([0-9A-F]{6})$/;
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B32_INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < B32.length; i++) B32_INDEX[B32.charCodeAt(i)] = i;

export interface PassClaims {
  /** pas_ + 16 lower-case hex digits. */
  passId: string;
  visitId: string;
  /** Whole seconds: the token carries Unix seconds. */
  notBefore: Date;
  expiresAt: Date;
}

export type PassRejection = 'malformed' | 'bad_signature' | 'not_yet_valid' | 'expired';

export type PassVerification =
  | { ok: true; claims: PassClaims }
  /** `claims` is set only once the signature is good (expired / not yet valid). */
  | { ok: false; reason: PassRejection; detail: string; claims?: PassClaims };

export type PassDecode =
  | { ok: true; claims: PassClaims; signed: Buffer; signature: Buffer }
  | { ok: false; reason: 'malformed'; detail: string };

export function isPassId(id: string): boolean {
  return PASS_ID_RE.test(id);
}

export function base32Encode(buf: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of buf) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

/** Strict: alphabet only, no padding, and the unused trailing bits must be zero (one text per token). */
export function base32Decode(text: string): Buffer | null {
  const rem = text.length % 8;
  // Lengths 1, 3 and 6 mod 8 cannot come from whole bytes.
  if (rem === 1 || rem === 3 || rem === 6) return null;
  const out = Buffer.allocUnsafe(Math.floor((text.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B32_INDEX[c]! : -1;
    if (v < 0) return null;
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >>> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

function packVisitId(visitId: string): Buffer {
  const m = COMPACT_VISIT_RE.exec(visitId);
  if (m) {
    const b = Buffer.alloc(8);
    b[0] = 1;
    b.writeUInt32BE(Number(m[1]), 1);
    Buffer.from(m[2]!, 'hex').copy(b, 5);
    return b;
  }
  const utf8 = Buffer.from(visitId, 'utf8');
  if (utf8.length < 1 || utf8.length > MAX_VISIT_ID_BYTES) throw new RangeError('visit id length');
  return Buffer.concat([Buffer.from([2, utf8.length]), utf8]);
}

function payloadOf(claims: PassClaims): Buffer {
  if (!PASS_ID_RE.test(claims.passId)) throw new RangeError('pass id must be pas_ + 16 hex digits');
  const nb = Math.floor(claims.notBefore.getTime() / 1000);
  const exp = Math.floor(claims.expiresAt.getTime() / 1000);
  if (!(nb >= 0 && exp <= 0xffffffff && exp > nb)) throw new RangeError('pass window');
  const times = Buffer.alloc(8);
  times.writeUInt32BE(nb, 0);
  times.writeUInt32BE(exp, 4);
  return Buffer.concat([
    Buffer.from([FORMAT]),
    Buffer.from(claims.passId.slice(4), 'hex'),
    packVisitId(claims.visitId),
    times,
  ]);
}

/** The door a pass is for, as signed: its id and a NUL (so 'a' + 'bc…' never equals 'ab' + 'c…'). */
function doorTag(door: string): Buffer {
  return Buffer.from(`${door}\0`, 'utf8');
}

/** Signs the claims with the Ed25519 private key and returns the text to put in the QR code. */
export function encodePass(claims: PassClaims, privateKey: KeyObject, door = ''): string {
  const payload = payloadOf(claims);
  const signature = sign(null, Buffer.concat([CONTEXT, doorTag(door), payload]), privateKey);
  return PASS_PREFIX + base32Encode(Buffer.concat([payload, signature]));
}

const malformed = (detail: string): PassDecode => ({ ok: false, reason: 'malformed', detail });

/** Parses the text without checking the signature. Never throws. */
export function decodePass(text: unknown): PassDecode {
  try {
    if (typeof text !== 'string') return malformed('not_text');
    if (text.length > MAX_PASS_TEXT) return malformed('too_long');
    // Scanners add line ends or pad; some send lower case. Both are harmless to accept.
    const t = text.trim().toUpperCase();
    if (t.length === 0) return malformed('empty');
    if (!t.startsWith(PASS_PREFIX)) return malformed('prefix');
    const bytes = base32Decode(t.slice(PASS_PREFIX.length));
    if (!bytes) return malformed('encoding');
    // format + pass id + visit kind + shortest visit id + times + signature
    if (bytes.length < 1 + PASS_ID_BYTES + 2 + 1 + 8 + SIG_BYTES) return malformed('length');
    if (bytes[0] !== FORMAT) return malformed('format');
    let off = 1;
    const passId = `pas_${bytes.subarray(off, off + PASS_ID_BYTES).toString('hex')}`;
    off += PASS_ID_BYTES;
    const kind = bytes[off++];
    let visitId: string;
    if (kind === 1) {
      const date = bytes.readUInt32BE(off);
      const ds = String(date).padStart(8, '0');
      if (date > 99_999_999 || !/^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(ds))
        return malformed('visit_id');
      visitId = `KNJ-${ds}-${bytes
        .subarray(off + 4, off + 7)
        .toString('hex')
        .toUpperCase()}`;
      off += 7;
    } else if (kind === 2) {
      const len = bytes[off++]!;
      if (len < 1 || len > MAX_VISIT_ID_BYTES || off + len > bytes.length) return malformed('visit_id');
      const raw = bytes.subarray(off, off + len);
      visitId = raw.toString('utf8');
      // Only canonical UTF-8 that is not the compact form (one text per token).
      if (!Buffer.from(visitId, 'utf8').equals(raw) || COMPACT_VISIT_RE.test(visitId))
        return malformed('visit_id');
      off += len;
    } else {
      return malformed('visit_kind');
    }
    if (bytes.length !== off + 8 + SIG_BYTES) return malformed('length');
    const nb = bytes.readUInt32BE(off);
    const exp = bytes.readUInt32BE(off + 4);
    off += 8;
    if (exp <= nb) return malformed('window');
    return {
      ok: true,
      claims: { passId, visitId, notBefore: new Date(nb * 1000), expiresAt: new Date(exp * 1000) },
      signed: bytes.subarray(0, off),
      signature: bytes.subarray(off),
    };
  } catch {
    return malformed('unreadable');
  }
}

/** Decodes, checks the signature with the public key, then the window against `now`. Never throws. */
export function verifyPass(text: unknown, publicKey: KeyObject, now: Date, door = ''): PassVerification {
  const d = decodePass(text);
  if (!d.ok) return d;
  let good = false;
  try {
    good = verify(null, Buffer.concat([CONTEXT, doorTag(door), d.signed]), publicKey, d.signature);
  } catch {
    good = false;
  }
  if (!good) return { ok: false, reason: 'bad_signature', detail: 'signature' };
  const t = now.getTime();
  if (!Number.isFinite(t)) return { ok: false, reason: 'not_yet_valid', detail: 'clock', claims: d.claims };
  if (t < d.claims.notBefore.getTime())
    return { ok: false, reason: 'not_yet_valid', detail: 'not_before', claims: d.claims };
  if (t > d.claims.expiresAt.getTime())
    return { ok: false, reason: 'expired', detail: 'expires_at', claims: d.claims };
  return { ok: true, claims: d.claims };
}
