/**
 * An authenticated EV2 secure-messaging session (NT4H2421Gx §9.1): the transaction identifier,
 * the two session keys and the command counter. Inspecting or serialising one never shows a key.
 */
import { inspect } from 'node:util';

export class SecureSession {
  /** CmdCtr: commands answered since the authentication; 16 bits, little-endian on the wire. */
  cmdCtr = 0;
  /** Set once the key that opened the session has been changed: the card has dropped it. */
  closed = false;

  constructor(
    readonly ti: Buffer,
    readonly encKey: Buffer,
    readonly macKey: Buffer,
    /** The card key number the session was opened with. */
    readonly keyNo: number,
  ) {}

  ctrBytes(ctr = this.cmdCtr): Buffer {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(ctr & 0xffff, 0);
    return b;
  }

  toJSON(): object {
    return { ti: this.ti.toString('hex'), keyNo: this.keyNo, cmdCtr: this.cmdCtr, keys: '[redacted]' };
  }

  [inspect.custom](): string {
    return `SecureSession(${JSON.stringify(this.toJSON())})`;
  }
}
