/** Key material and enrolled virtual cards for the NTAG 424 DNA tests. */
import type { Ntag424KeyMaterial } from '../../../../src/domain/credential-keys.js';
import { cardKey } from '../../../../src/hardware/nfc/ntag424/diversify.js';
import { VirtualNtag424, type VirtualNtag424Options } from '../../../fixtures/virtual-ntag424.js';

export const SYSTEM_ID = Buffer.from('diskominfo-kudus');
export const MASTER_V1 = Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex');
export const MASTER_V2 = Buffer.from('F0E1D2C3B4A5968778695A4B3C2D1E0F', 'hex');

export const KEYS: Ntag424KeyMaterial = {
  masterKeys: [
    { version: 2, key: MASTER_V2 },
    { version: 1, key: MASTER_V1 },
  ],
  enrolVersion: 2,
  systemId: SYSTEM_ID,
};

export const UID = '04958CAA5C5E80';

/** A card as enrolment leaves it: keys 0 and 2 diversified from the master of `version`. */
export function enrolledCard(
  version = 2,
  uid = UID,
  extra: Partial<VirtualNtag424Options> = {},
): VirtualNtag424 {
  const master = version === 2 ? MASTER_V2 : MASTER_V1;
  const u = Buffer.from(uid, 'hex');
  const keys: Buffer[] = Array.from({ length: 5 }, () => Buffer.alloc(16));
  keys[0] = cardKey(master, u, 0, SYSTEM_ID);
  keys[2] = cardKey(master, u, 2, SYSTEM_ID);
  return new VirtualNtag424({ uid, keys, versions: [version, 0, version, 0, 0], ...extra });
}
