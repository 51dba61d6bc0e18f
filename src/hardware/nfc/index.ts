/**
 * The nfc driver's entry point for the reader factory. Every NFC reader of the process shares one
 * PcscManager — one PC/SC context, as pcscd is one per machine — which opens with the first
 * reader started and closes with the last one stopped.
 */
import type { Logger } from 'pino';
import type { ReaderConfig } from '../../config/schema.js';
import type { Ntag424KeyMaterial } from '../../domain/credential-keys.js';
import { NfcReader } from './nfc-reader.js';
import { PcscManager } from './pcsc-manager.js';

let shared: PcscManager | null = null;

export function sharedPcscManager(logger: Logger): PcscManager {
  shared ??= new PcscManager({ logger: logger.child({ module: 'pcsc' }) });
  return shared;
}

/**
 * `keys`: this site's NTAG 424 DNA key material, asked at every tap (null while genuine cards are
 * off); without it the reader reads UIDs only.
 */
export function createNfcReader(
  cfg: ReaderConfig,
  logger: Logger,
  keys?: () => Ntag424KeyMaterial | null,
): NfcReader {
  const nfc = cfg.nfc;
  // Validation requires it for the nfc driver and compiles the pattern (config/reader-rules.ts);
  // the type cannot say that `nfc` goes with `driver: 'nfc'`.
  if (!nfc) throw new Error(`reader ${cfg.id}: the nfc driver needs its nfc options`);
  return new NfcReader({
    id: cfg.id,
    namePattern: nfc.namePattern,
    debounceMs: nfc.debounceMs,
    feedback: nfc.feedback,
    manager: sharedPcscManager(logger),
    role: cfg.role,
    ...(keys ? { keys } : {}),
    logger: logger.child({ module: `reader:${cfg.id}` }),
  });
}
