/**
 * Bytes from the serial port in, parsed frames and drops out (an object-mode Transform, after
 * zigbee-herdsman's unpi parser). Every 0x00 ends a frame, so junk, a bad CRC or an oversized
 * frame costs only the bytes up to the next delimiter; chunks may split frames anywhere.
 * Empty frames (0x00 0x00) are the senders' resync padding and produce nothing.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { type BridgeFrame, type DropReason, decodeFrame, MAX_ENCODED } from './frame.js';

export type ParsedEvent = { kind: 'frame'; frame: BridgeFrame } | { kind: 'drop'; reason: DropReason };

export class BridgeParser extends Transform {
  private buf = Buffer.alloc(MAX_ENCODED);
  private len = 0;
  private overflow = false;

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    for (const b of chunk) {
      if (b !== 0) {
        if (this.len < this.buf.length) this.buf[this.len++] = b;
        else this.overflow = true;
        continue;
      }
      const event = this.finish();
      if (event) this.push(event);
    }
    done();
  }

  /** Forgets a partial frame (a new port after a reconnect). */
  reset(): void {
    this.len = 0;
    this.overflow = false;
  }

  private finish(): ParsedEvent | null {
    const overflow = this.overflow;
    const len = this.len;
    this.reset();
    if (overflow) return { kind: 'drop', reason: 'oversize' };
    if (len === 0) return null;
    const r = decodeFrame(this.buf.subarray(0, len));
    return typeof r === 'string' ? { kind: 'drop', reason: r } : { kind: 'frame', frame: r };
  }
}
