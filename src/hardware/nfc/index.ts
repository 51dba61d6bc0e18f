/**
 * The nfc driver's entry point for the reader factory. Every NFC reader of the process shares one
 * PcscManager — one PC/SC context, as pcscd is one per machine — which opens with the first
 * reader started and closes with the last one stopped.
 */
import type { Logger } from 'pino';
import type { ReaderConfig } from '../../config/schema.js';
import { NfcReader } from './nfc-reader.js';
import { PcscManager } from './pcsc-manager.js';

let shared: PcscManager | null = null;

export function sharedPcscManager(logger: Logger): PcscManager {
  shared ??= new PcscManager({ logger: logger.child({ module: 'pcsc' }) });
  return shared;
}

export function createNfcReader(cfg: ReaderConfig, logger: Logger): NfcReader {
  const nfc = cfg.nfc;
  if (!nfc?.namePattern) throw new Error(`reader ${cfg.id}: nfc.namePattern is required for the nfc driver`);
  try {
    new RegExp(nfc.namePattern, 'i');
  } catch (err) {
    throw new Error(
      `reader ${cfg.id}: nfc.namePattern is not a valid regular expression: ${(err as Error).message}`,
    );
  }
  return new NfcReader({
    id: cfg.id,
    namePattern: nfc.namePattern,
    debounceMs: nfc.debounceMs ?? 1500,
    feedback: nfc.feedback ?? true,
    manager: sharedPcscManager(logger),
    logger: logger.child({ module: `reader:${cfg.id}` }),
  });
}
