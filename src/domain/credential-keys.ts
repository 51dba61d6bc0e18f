/**
 * The key material behind genuine NFC badges (NTAG 424 DNA, issue #10), as a value a door could
 * receive, verify and store. Pure: no I/O; the master key file is read elsewhere.
 *
 * Card key numbers (the NTAG 424 DNA application has keys 0–4):
 *  - 0, the application master key: changes the others; used only at enrolment and re-keying.
 *  - 2, the door key: proves the card genuine at every tap (AuthenticateEV2First, GetCardUID).
 *  - 1, 3, 4: left at the factory value (reserved; 1 for a future site-wide "read the real UID"
 *    key should cards ever be switched to random ID).
 * Keys 0 and 2 are each diversified per card from the master key (AN10922; the key number is part
 * of the input), so a key read out of one card, or the door key of a card, opens nothing else.
 *
 * Rotation: every master key still honoured is listed with its version (1–255). A card stores the
 * version of the master its keys came from as its key version (ChangeKey's KeyVer byte), which the
 * door reads before authenticating. New cards get `enrolVersion`. Cards on an older version keep
 * working until re-keyed; dropping a version from the list retires its cards.
 */

export const NTAG424_KEY_NO = { appMaster: 0, door: 2 } as const;

/** The factory key version of every NTAG 424 DNA key (with the all-zero key). */
export const FACTORY_KEY_VERSION = 0;

export interface MasterKey {
  /** 1–255; written to the card as the key version of the keys derived from it. */
  version: number;
  /** 16 bytes (AES-128). Never logged. */
  key: Buffer;
}

export interface Ntag424KeyMaterial {
  masterKeys: readonly MasterKey[];
  /** The version newly enrolled (and re-keyed) cards get; must be one of masterKeys. */
  enrolVersion: number;
  /** AN10922's system identifier: names this site (1–21 bytes), so another site's keys differ. */
  systemId: Buffer;
}

export function masterKeyFor(material: Ntag424KeyMaterial, version: number): MasterKey | undefined {
  return material.masterKeys.find((k) => k.version === version);
}

/** Every problem with the key material, as `path message` lines; empty when it is usable. */
export function keyMaterialErrors(material: Ntag424KeyMaterial): string[] {
  const errors: string[] = [];
  const seen = new Set<number>();
  material.masterKeys.forEach((k, i) => {
    if (!Number.isInteger(k.version) || k.version < 1 || k.version > 255) {
      errors.push(`masterKeys/${i}/version must be an integer from 1 to 255`);
    }
    if (seen.has(k.version)) errors.push(`masterKeys/${i}/version ${k.version} is listed twice`);
    seen.add(k.version);
    if (k.key.length !== 16) errors.push(`masterKeys/${i}/key must be 16 bytes`);
    else if (k.key.every((b) => b === 0)) errors.push(`masterKeys/${i}/key must not be all zeros`);
  });
  if (material.masterKeys.length === 0) errors.push('masterKeys must list at least one key');
  if (!seen.has(material.enrolVersion))
    errors.push('enrolVersion must be the version of a listed master key');
  if (material.systemId.length < 1 || material.systemId.length > 21) {
    errors.push('systemId must be 1 to 21 bytes');
  }
  return errors;
}
