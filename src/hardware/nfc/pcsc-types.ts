/**
 * The slice of nfc-pcsc this driver uses. nfc-pcsc ships no type declarations and is an optional
 * dependency loaded at run time, so it is described here rather than imported.
 */
import type { EventEmitter } from 'node:events';

export interface PcscCard {
  atr?: Buffer;
  uid?: string;
}

/** nfc-pcsc's Reader (ACR122Reader is a subclass; this driver sends its own APDUs). */
export interface PcscReader extends EventEmitter {
  readonly name: string;
  /** false: nfc-pcsc connects and emits 'card' without asking for the UID itself. */
  autoProcessing: boolean;
  card: PcscCard | null;
  connection: unknown;
  /** Throws synchronously when no card is connected; rejects when the transmit fails. */
  transmit(data: Buffer, responseMaxLength: number): Promise<Buffer>;
  close(): void;
}

/** nfc-pcsc's NFC: one PC/SC context and its reader-list thread. */
export interface PcscContext extends EventEmitter {
  close(): void;
}

export type PcscContextFactory = () => Promise<PcscContext>;
