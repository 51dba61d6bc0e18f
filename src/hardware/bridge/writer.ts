/** Frames in, wire bytes out: a Readable piped into the serial port (after unpi's writer). */
import { Readable } from 'node:stream';
import { type BridgeFrame, encodeFrame } from './frame.js';

export class BridgeWriter extends Readable {
  writeFrame(frame: BridgeFrame): void {
    this.push(encodeFrame(frame));
  }

  override _read(): void {}
}
