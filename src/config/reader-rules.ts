/**
 * Reader rules the JSON schema cannot say: unique ids, the options block each driver needs, NFC
 * name patterns that compile, and no serial device claimed by two readers.
 */
import type { ReaderConfig } from './schema.js';

/** Every problem as `path message`. */
export function readerConfigProblems(readers: readonly ReaderConfig[]): string[] {
  const problems: string[] = [];
  const ids = new Map<string, number>();
  const devices = new Map<string, number>();
  readers.forEach((r, i) => {
    const at = `readers.${i}`;
    const sameId = ids.get(r.id);
    if (sameId === undefined) ids.set(r.id, i);
    else problems.push(`${at}.id '${r.id}' is already the id of readers.${sameId}`);
    if (r.driver === 'nfc') {
      if (!r.nfc) {
        problems.push(`${at} must have required property 'nfc' (the nfc driver's options)`);
      } else {
        try {
          new RegExp(r.nfc.namePattern, 'i');
        } catch (err) {
          problems.push(`${at}.nfc.namePattern is not a valid regular expression: ${(err as Error).message}`);
        }
      }
    }
    // qr-serial without `serial` is the schema's own if/then rule.
    if (r.driver === 'qr-serial' && r.serial) {
      const sameDevice = devices.get(r.serial.path);
      if (sameDevice === undefined) devices.set(r.serial.path, i);
      else
        problems.push(`${at}.serial.path '${r.serial.path}' is already the device of readers.${sameDevice}`);
    }
  });
  return problems;
}
