/**
 * The serial link to the door bridge (firmware-bridge/PROTOCOL.md): opens the port (and keeps
 * reopening it with backoff when it goes away), establishes a session with HELLO, sends the
 * heartbeat every `heartbeatMs`, numbers requests and matches their ACK/NACK, and says what it
 * lost. Relay, inputs and the Wiegand reader (devices.ts) share one link.
 */
import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { SerialPort } from 'serialport';
import type { ModuleHealth } from '../../lifecycle.js';
import { SerialKeeper } from '../serial-keeper.js';
import type { BridgeFrame } from './frame.js';
import {
  BRIDGE_TIMEOUTS_MS,
  type BridgeLinkEvents,
  type BridgeLinkOptions,
  type BridgeLinkStats,
  BridgeNackError,
  emptyStats,
} from './link-options.js';
import { BridgeParser, type ParsedEvent } from './parser.js';
import {
  type Ack,
  decodeAck,
  decodeCard,
  decodeFault,
  decodeInput,
  decodeMcuHeartbeat,
  decodeMcuHello,
  decodeNack,
  encodeHostHello,
  encodeRelay,
  encodeResetFault,
  type FaultReport,
  faultNames,
  type McuHello,
  MSG,
  type NackReason,
  REX_MODE,
  resetCauseNames,
} from './protocol.js';
import { BridgeTimeoutError, Waitress } from './waitress.js';
import { BridgeWriter } from './writer.js';

type Reply =
  | { kind: 'ack'; ack: Ack }
  | { kind: 'nack'; refSeq: number; reason: NackReason }
  | { kind: 'hello'; hello: McuHello; epoch: number };

const NAMES: Record<number, string> = {
  [MSG.heartbeat]: 'HEARTBEAT',
  [MSG.relay]: 'RELAY',
  [MSG.resetFault]: 'RESET_FAULT',
};

export class BridgeLink extends EventEmitter<BridgeLinkEvents> {
  private readonly keeper: SerialKeeper;
  private writer: BridgeWriter | null = null;
  private parser: BridgeParser | null = null;
  private running = false;
  private epoch = 0;
  private seq = 0;
  private mcuSeq: number | null = null;
  private users = 0;
  private helloAttempt = 0;
  private helloError = '';
  private helloTimer: NodeJS.Timeout | null = null;
  private beatTimer: NodeJS.Timeout | null = null;
  private handshaking = false;
  private readonly waitress = new Waitress<Reply>();
  /** The MCU's latest HELLO, once a session is up (null while there is none). */
  hello: McuHello | null = null;
  faults = 0;
  inputs = 0;
  relayOn = false;
  readonly stats: BridgeLinkStats = emptyStats();

  constructor(
    readonly opts: BridgeLinkOptions,
    private readonly logger?: Logger,
  ) {
    super();
    this.keeper = new SerialKeeper(opts);
    this.keeper.on('open', (port) => this.onOpen(port));
    this.keeper.on('lost', (why) => this.onLost(why));
  }

  private get open(): boolean {
    return this.keeper.isOpen;
  }

  get ready(): boolean {
    return this.open && this.hello !== null;
  }

  /** Devices share the link: the first acquire starts it, the last release stops it. */
  async acquire(): Promise<void> {
    if (this.users++ === 0) await this.start();
  }

  async release(): Promise<void> {
    if (this.users > 0 && --this.users === 0) await this.stop();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.keeper.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.detach('stopped');
    await this.keeper.stop();
  }

  health(): ModuleHealth {
    if (!this.running) return { state: 'stopped' };
    const s = this.stats;
    const dropped = Object.entries(s.dropped)
      .filter(([, n]) => n > 0)
      .map(([r, n]) => `${r} ${n}`);
    const parts = [
      this.hello ? `firmware ${this.hello.firmware}, session ${this.epoch}` : 'no session',
      this.faults ? `faults ${faultNames(this.faults).join('+')}` : '',
      dropped.length ? `dropped ${dropped.join(', ')}` : '',
      s.lost ? `lost ${s.lost}` : '',
      s.timeouts ? `timeouts ${s.timeouts}` : '',
    ].filter(Boolean);
    if (!this.open) {
      return { state: 'down', detail: `${this.opts.path}: ${this.keeper.lastError || 'opening'}; retrying` };
    }
    if (!this.hello && this.helloError) parts.push(this.helloError);
    if (!this.hello || this.faults) return { state: 'degraded', detail: parts.join('; ') };
    return { state: 'ok', detail: parts.join('; ') };
  }

  /** Asks for a relay action; resolves with the granted pulse in ms (the MCU bounds it). */
  async relay(mode: number, ms: number): Promise<number> {
    const ack = await this.request(MSG.relay, encodeRelay(mode, ms));
    this.setRelayOn(ack.value !== 0);
    return ack.value;
  }

  /** Clears latched faults; resolves with those still latched. */
  async resetFault(mask = 0xff): Promise<number> {
    const ack = await this.request(MSG.resetFault, encodeResetFault(mask));
    this.faults = ack.value & 0xff;
    return this.faults;
  }

  /** Sends one numbered request and waits for its ACK (a NACK rejects with BridgeNackError). */
  async request(type: number, payload: Buffer): Promise<Ack> {
    const what = NAMES[type] ?? `type ${type}`;
    if (!this.ready || !this.writer) throw new Error(`bridge: no session for ${what}`);
    if (this.seq >= 0xffff) {
      this.restartSession('sequence numbers used up');
      throw new Error(`bridge: new session under way; ${what} not sent`);
    }
    const seq = ++this.seq;
    const waiter = this.waitress.waitFor(
      (r) => (r.kind === 'ack' ? r.ack.refSeq === seq : r.kind === 'nack' && r.refSeq === seq),
      BRIDGE_TIMEOUTS_MS.command,
      `ACK for ${what} seq ${seq}`,
    );
    this.writer.writeFrame({ type, epoch: this.epoch, seq, payload });
    let reply: Reply;
    try {
      reply = await waiter.promise;
    } catch (err) {
      if (err instanceof BridgeTimeoutError) this.stats.timeouts++;
      throw err;
    }
    if (reply.kind === 'ack') return reply.ack;
    if (reply.kind === 'nack') {
      this.stats.nacks[reply.reason] = (this.stats.nacks[reply.reason] ?? 0) + 1;
      if (reply.reason === 'epoch' || reply.reason === 'no_session')
        this.restartSession(`NACK ${reply.reason}`);
      throw new BridgeNackError(reply.reason, what);
    }
    throw new Error('bridge: unexpected reply');
  }

  /** A (re)opened port: new parser and writer, then HELLO. */
  private onOpen(port: SerialPort): void {
    const parser = new BridgeParser();
    const writer = new BridgeWriter();
    port.pipe(parser);
    writer.pipe(port);
    parser.on('data', (e: ParsedEvent) => {
      if (parser === this.parser) this.onParsed(e);
    });
    this.parser = parser;
    this.writer = writer;
    this.helloAttempt = 0;
    // A lone delimiter ends whatever half-frame the MCU's parser holds from before.
    port.write(Buffer.of(0));
    this.handshake();
  }

  private onLost(why: string): void {
    this.logger?.warn({ path: this.opts.path, why }, 'bridge port lost');
    this.detach(why);
  }

  private detach(why: string): void {
    this.handshaking = false;
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    this.endSession(why);
    this.waitress.rejectAll(new Error(`bridge: ${why}`));
    this.writer?.unpipe();
    this.writer = null;
    this.parser?.removeAllListeners('data');
    this.parser = null;
  }

  /** HELLO with a random nonce as its seq; the MCU's HELLO echoing it opens the session. */
  private handshake(): void {
    if (this.handshaking || !this.open || !this.writer) return;
    this.handshaking = true;
    const nonce = randomInt(1, 0x10000);
    const waiter = this.waitress.waitFor(
      (r) => r.kind === 'hello' && r.hello.refSeq === nonce,
      BRIDGE_TIMEOUTS_MS.hello,
      `HELLO reply to nonce ${nonce}`,
    );
    const o = this.opts;
    this.writer.writeFrame({
      type: MSG.hello,
      epoch: 0,
      seq: nonce,
      payload: encodeHostHello({
        heartbeatTimeoutMs: o.heartbeatTimeoutMs,
        maxPulseMs: o.maxPulseMs,
        rexPulseMs: o.rexPulseMs,
        rexMode: REX_MODE[o.rexMode],
      }),
    });
    waiter.promise.then(
      (r) => {
        this.handshaking = false;
        if (r.kind === 'hello') this.onSession(r.hello, r.epoch);
      },
      (err: Error) => {
        this.handshaking = false;
        if (err instanceof BridgeTimeoutError) this.stats.timeouts++;
        if (!this.open) return;
        this.helloError = err.message;
        const o = this.opts;
        const delay = Math.min(o.reconnectMaxMs, o.reconnectMinMs * 2 ** Math.min(this.helloAttempt++, 16));
        this.helloTimer = setTimeout(() => {
          this.helloTimer = null;
          this.handshake();
        }, delay);
      },
    );
  }

  private onSession(hello: McuHello, epoch: number): void {
    this.hello = hello;
    this.helloError = '';
    this.epoch = epoch;
    this.seq = 0;
    this.faults = hello.faults;
    this.stats.sessions++;
    this.logger?.info(
      {
        path: this.opts.path,
        firmware: hello.firmware,
        epoch,
        resetCause: resetCauseNames(hello.resetCause),
      },
      'bridge session up',
    );
    this.emit('session', { ...hello, epoch });
    if (this.beatTimer) clearInterval(this.beatTimer);
    this.beatTimer = setInterval(() => this.beat(), this.opts.heartbeatMs);
    this.beat();
    if (hello.faults) this.onFault({ faults: hello.faults, raised: 0 });
  }

  private beat(): void {
    if (!this.ready) return;
    this.request(MSG.heartbeat, Buffer.alloc(0)).then(
      (ack) => {
        this.faults = ack.value & 0xff;
        this.inputs = (ack.value >> 16) & 0xff;
        this.setRelayOn(((ack.value >> 8) & 1) === 1);
      },
      (err: Error) => this.logger?.debug({ err: err.message }, 'bridge heartbeat failed'),
    );
  }

  /** An MCU reset, a stale epoch or used-up sequence numbers: start over with HELLO. */
  private restartSession(why: string): void {
    if (!this.hello && this.handshaking) return;
    this.logger?.warn({ path: this.opts.path, why }, 'bridge session lost; saying HELLO again');
    this.endSession(why);
    this.handshake();
  }

  private endSession(why: string): void {
    const had = this.hello !== null;
    this.hello = null;
    this.mcuSeq = null;
    if (this.beatTimer) clearInterval(this.beatTimer);
    this.beatTimer = null;
    this.setRelayOn(false);
    if (had) this.emit('down', why);
  }

  private onParsed(e: ParsedEvent): void {
    if (e.kind === 'drop') {
      this.stats.dropped[e.reason]++;
      return;
    }
    this.stats.framesIn++;
    this.onFrame(e.frame);
  }

  private onFrame(f: BridgeFrame): void {
    if (f.type === MSG.hello) this.mcuSeq = null;
    if (this.mcuSeq !== null && f.seq !== this.mcuSeq) this.stats.lost += (f.seq - this.mcuSeq) & 0xffff;
    this.mcuSeq = (f.seq + 1) & 0xffff;
    const p = f.payload;
    switch (f.type) {
      case MSG.hello: {
        const hello = decodeMcuHello(p);
        if (!hello) return;
        if (this.waitress.resolve({ kind: 'hello', hello, epoch: f.epoch })) return;
        // Not the answer to our HELLO: the MCU has restarted (its boot HELLO) or someone else
        // opened a session. Either way ours is gone.
        this.restartSession(`unsolicited HELLO (reset cause ${resetCauseNames(hello.resetCause).join('+')})`);
        return;
      }
      case MSG.ack: {
        const ack = decodeAck(p);
        if (ack) this.waitress.resolve({ kind: 'ack', ack });
        return;
      }
      case MSG.nack: {
        const n = decodeNack(p);
        if (n) this.waitress.resolve({ kind: 'nack', refSeq: n.refSeq, reason: n.reason });
        return;
      }
      case MSG.heartbeat: {
        const hb = decodeMcuHeartbeat(p);
        if (!hb) return;
        this.faults = hb.faults;
        this.inputs = hb.inputs;
        this.setRelayOn(hb.relay);
        this.emit('heartbeat', hb);
        return;
      }
      case MSG.input: {
        const ev = decodeInput(p);
        if (!ev) return;
        this.inputs = ev.all;
        this.emit('input', ev);
        return;
      }
      case MSG.card: {
        const card = decodeCard(p);
        if (card) this.emit('card', card);
        return;
      }
      case MSG.fault: {
        const fault = decodeFault(p);
        if (fault) this.onFault(fault);
        return;
      }
    }
  }

  private onFault(fault: FaultReport): void {
    this.faults = fault.faults;
    if (fault.raised & 0x01) this.setRelayOn(false);
    this.logger?.warn(
      { path: this.opts.path, faults: faultNames(fault.faults), raised: faultNames(fault.raised) },
      'bridge reports a latched fault',
    );
    this.emit('fault', fault);
    if (this.opts.autoResetFaults && this.ready && fault.faults) {
      this.resetFault(fault.faults).catch((err: Error) =>
        this.logger?.warn({ err: err.message }, 'bridge fault reset failed'),
      );
    }
  }

  private setRelayOn(on: boolean): void {
    if (on === this.relayOn) return;
    this.relayOn = on;
    this.emit('relay', on);
  }
}
