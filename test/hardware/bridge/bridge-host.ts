/**
 * A hand-driven host for firmware-in-the-loop tests: real `serialport` on the harness's pty and
 * the driver's own frame/parser/writer, but every frame chosen by the test (so it can replay,
 * corrupt, or stop the heartbeat at will).
 */
import { SerialPort } from 'serialport';
import { type BridgeFrame, encodeFrame } from '../../../src/hardware/bridge/frame.js';
import { BridgeParser, type ParsedEvent } from '../../../src/hardware/bridge/parser.js';
import {
  decodeMcuHello,
  encodeHostHello,
  type HostHello,
  MSG,
} from '../../../src/hardware/bridge/protocol.js';

export class RawHost {
  readonly frames: BridgeFrame[] = [];
  readonly drops: string[] = [];
  epoch = 0;
  seq = 0;
  private port: SerialPort | null = null;
  private waiters = new Set<() => void>();

  async open(path: string): Promise<void> {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    const parser = new BridgeParser();
    port.pipe(parser);
    parser.on('data', (e: ParsedEvent) => {
      if (e.kind === 'frame') this.frames.push(e.frame);
      else this.drops.push(e.reason);
      for (const w of [...this.waiters]) w();
    });
    this.port = port;
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  writeRaw(bytes: Buffer): void {
    this.port!.write(bytes);
  }

  /** Sends a frame in the current session with the next seq; returns its wire bytes. */
  send(type: number, payload: Buffer = Buffer.alloc(0), seq = ++this.seq): Buffer {
    const wire = encodeFrame({ type, epoch: this.epoch, seq, payload });
    this.writeRaw(wire);
    return wire;
  }

  /** Waits for a frame after index `from` of `frames` that matches (event-driven, no polling). */
  next(pred: (f: BridgeFrame) => boolean, what: string, from = 0, timeoutMs = 5000): Promise<BridgeFrame> {
    return new Promise((resolve, reject) => {
      let scanned = from;
      const check = () => {
        for (; scanned < this.frames.length; scanned++) {
          const f = this.frames[scanned]!;
          if (!pred(f)) continue;
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(f);
          return;
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** The ACK or NACK answering seq. */
  reply(seq: number, from = 0): Promise<BridgeFrame> {
    return this.next(
      (f) => (f.type === MSG.ack || f.type === MSG.nack) && f.payload.readUInt16LE(0) === seq,
      `reply to seq ${seq}`,
      from,
    );
  }

  /** Sends and waits for the reply. */
  async request(type: number, payload: Buffer = Buffer.alloc(0)): Promise<BridgeFrame> {
    const from = this.frames.length;
    const seq = ++this.seq;
    this.send(type, payload, seq);
    return this.reply(seq, from);
  }

  /** Opens a session; returns the MCU's HELLO. */
  async hello(h: Partial<HostHello> = {}): Promise<NonNullable<ReturnType<typeof decodeMcuHello>>> {
    const nonce = 0x4242 + this.frames.length;
    const from = this.frames.length;
    this.writeRaw(
      encodeFrame({
        type: MSG.hello,
        epoch: 0,
        seq: nonce,
        payload: encodeHostHello({
          heartbeatTimeoutMs: 2000,
          maxPulseMs: 10_000,
          rexPulseMs: 5000,
          rexMode: 1,
          ...h,
        }),
      }),
    );
    const f = await this.next(
      (x) => x.type === MSG.hello && decodeMcuHello(x.payload)?.refSeq === nonce,
      'HELLO reply',
      from,
    );
    this.epoch = f.epoch;
    this.seq = 0;
    return decodeMcuHello(f.payload)!;
  }
}
