/**
 * What one tap learns from the card, in one reader transaction (the card stays connected; no
 * extra polling): its UID and how it proved it.
 *
 * With this site's key material, an ISO 14443-4 card is authenticated as an NTAG 424 DNA
 * (Ntag424Authenticator, 6 APDUs): genuine, failed (wrong key, bad MAC, replay — the UID it
 * claimed is still reported so the journal names the badge), or not an NTAG 424 DNA at all, which
 * is a UID-only card like an ISO 14443-3 one. Without key material (genuine cards off) only the
 * UID is read (1 APDU). A card that leaves before it is done is no tap at all.
 */
import type { Ntag424KeyMaterial } from '../../domain/credential-keys.js';
import { normaliseUid } from '../../domain/uid.js';
import type { CredentialProof } from '../interfaces.js';
import { GET_ANTICOLLISION_UID } from './ntag424/apdu.js';
import { Ntag424Authenticator } from './ntag424/authenticator.js';
import type { Transmit } from './ntag424/card-link.js';

export type CardRead =
  | { ok: true; uid: string; proof: CredentialProof; apdus: number }
  /** removed: the card left mid-read; refused: its UID could not be read or is not 4/7/10 bytes. */
  | { ok: false; why: 'removed' | 'refused'; detail: string; apdus: number };

/** The UID of a GET DATA answer (`uid ‖ 90 00`), normalised, or null. */
export function uidOfAnswer(raw: Buffer): string | null {
  const sw = raw.length >= 2 ? raw.readUInt16BE(raw.length - 2) : 0;
  return sw === 0x9000 ? normaliseUid(raw.subarray(0, -2).toString('hex')) : null;
}

/** Reads the UID alone (1 APDU). */
export async function readUid(transmit: Transmit): Promise<CardRead> {
  let raw: Buffer;
  try {
    raw = await transmit(GET_ANTICOLLISION_UID);
  } catch (err) {
    return { ok: false, why: 'removed', detail: (err as Error)?.message ?? String(err), apdus: 1 };
  }
  if (raw.length < 2) return { ok: false, why: 'removed', detail: 'answer without a status word', apdus: 1 };
  const uid = uidOfAnswer(raw);
  if (!uid) {
    const sw = raw.length >= 2 ? raw.readUInt16BE(raw.length - 2).toString(16) : 'none';
    return { ok: false, why: 'refused', detail: `${Math.max(0, raw.length - 2)} bytes, SW ${sw}`, apdus: 1 };
  }
  return { ok: true, uid, proof: { kind: 'uid' }, apdus: 1 };
}

export async function readCard(
  transmit: Transmit,
  atr: Buffer | undefined,
  keys: Ntag424KeyMaterial | null,
): Promise<CardRead> {
  if (!keys) return readUid(transmit);
  // The authenticator's first APDU asks for the UID: keep that answer for a card that then fails.
  let claimed: string | null = null;
  const watching: Transmit = async (apdu) => {
    const answer = await transmit(apdu);
    if (claimed === null && apdu.equals(GET_ANTICOLLISION_UID)) claimed = uidOfAnswer(answer);
    return answer;
  };
  const r = await new Ntag424Authenticator({ keys }).authenticate(watching, atr);
  if (r.ok) {
    return {
      ok: true,
      uid: r.card.uid,
      proof: { kind: 'ntag424', keyVersion: r.card.keyVersion },
      apdus: r.apdus,
    };
  }
  if (r.reason === 'card_removed') return { ok: false, why: 'removed', detail: r.detail, apdus: r.apdus };
  if (r.reason === 'not_ntag424') {
    // A plain card (or a copy answering with a UID only). Screened out by its ATR, it has not been
    // asked for its UID yet.
    if (claimed !== null) return { ok: true, uid: claimed, proof: { kind: 'uid' }, apdus: r.apdus };
    const u = await readUid(transmit);
    return { ...u, apdus: u.apdus + r.apdus };
  }
  if (claimed === null)
    return { ok: false, why: 'refused', detail: `${r.reason}: ${r.detail}`, apdus: r.apdus };
  return {
    ok: true,
    uid: claimed,
    proof: { kind: 'failed', reason: r.reason, detail: r.detail },
    apdus: r.apdus,
  };
}
