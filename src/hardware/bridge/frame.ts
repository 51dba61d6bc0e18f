/**
 * One bridge frame to and from bytes (firmware-bridge/PROTOCOL.md): body = version | type |
 * epoch u16 LE | seq u16 LE | payload | CRC-16/XMODEM BE, COBS-encoded between two 0x00.
 */
import { cobsDecode, cobsEncode } from './cobs.js';
import { crcXmodem } from './crc16.js';

export const PROTO_VERSION = 1;
export const MAX_PAYLOAD = 48;
const HEADER = 6;
const MIN_BODY = HEADER + 2;
const MAX_BODY = MIN_BODY + MAX_PAYLOAD;
/** Longest COBS run between delimiters the firmware accepts (one overhead byte). */
export const MAX_ENCODED = MAX_BODY + 1;

export interface BridgeFrame {
  type: number;
  epoch: number;
  seq: number;
  payload: Buffer;
}

export type DropReason = 'oversize' | 'cobs' | 'short' | 'crc' | 'version';
export const DROP_REASONS: readonly DropReason[] = ['oversize', 'cobs', 'short', 'crc', 'version'];

/** The wire bytes of a frame, delimiters included. */
export function encodeFrame(f: BridgeFrame): Buffer {
  if (f.payload.length > MAX_PAYLOAD)
    throw new RangeError(`bridge payload ${f.payload.length} > ${MAX_PAYLOAD}`);
  const body = Buffer.alloc(HEADER + f.payload.length + 2);
  body[0] = PROTO_VERSION;
  body[1] = f.type;
  body.writeUInt16LE(f.epoch & 0xffff, 2);
  body.writeUInt16LE(f.seq & 0xffff, 4);
  f.payload.copy(body, HEADER);
  body.writeUInt16BE(crcXmodem(body.subarray(0, HEADER + f.payload.length)), HEADER + f.payload.length);
  return Buffer.concat([Buffer.of(0), cobsEncode(body), Buffer.of(0)]);
}

/** Decodes the COBS bytes between two delimiters (non-empty, at most MAX_ENCODED long). */
export function decodeFrame(encoded: Uint8Array): BridgeFrame | DropReason {
  const body = cobsDecode(encoded);
  if (!body) return 'cobs';
  if (body.length < MIN_BODY) return 'short';
  if (body.length > MAX_BODY) return 'oversize';
  const end = body.length - 2;
  if (body.readUInt16BE(end) !== crcXmodem(body.subarray(0, end))) return 'crc';
  if (body[0] !== PROTO_VERSION) return 'version';
  return {
    type: body[1]!,
    epoch: body.readUInt16LE(2),
    seq: body.readUInt16LE(4),
    payload: Buffer.from(body.subarray(HEADER, end)),
  };
}
