/**
 * The door's Relay, DigitalInputs and Wiegand CredentialReader on one bridge link. Each device's
 * start()/stop() acquires/releases the shared link, so the composition root starts them like any
 * other driver.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ModuleHealth } from '../../lifecycle.js';
import type { Credential, CredentialReader, DigitalInput, ReaderFeedback, Relay } from '../interfaces.js';
import type { BridgeLink } from './link.js';
import { type BridgeInputName, type CardRead, INPUTS, RELAY_MODE } from './protocol.js';

/**
 * The lock relay. set(true) asks for a pulse of the link's maxPulseMs and renews it at half that
 * while the door wants it unlocked (so even emergency release is a lease the MCU ends by itself if
 * the host stops renewing); set(false) releases. get() is what the door asked for, dropped to
 * false as soon as the MCU says it released (a fault, a lost session, a refused request), so the
 * door's once-a-second reassert can put it back.
 */
export class BridgeRelay implements Relay {
  private want = false;
  private on = false;
  private renew: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private readonly onMcuRelay = (energised: boolean) => {
    if (!energised && this.inFlight === 0 && this.on) {
      this.on = false;
      this.logger?.warn({ relay: this.id }, 'bridge released the relay by itself');
    }
  };

  constructor(
    readonly id: string,
    private readonly link: BridgeLink,
    private readonly logger?: Logger,
  ) {}

  async start(): Promise<void> {
    this.link.on('relay', this.onMcuRelay);
    await this.link.acquire();
  }

  async stop(): Promise<void> {
    this.want = false;
    this.on = false;
    if (this.renew) clearInterval(this.renew);
    this.renew = null;
    // Locked before the port closes (the MCU would release within its heartbeat timeout anyway).
    if (this.link.ready) {
      await this.link
        .relay(RELAY_MODE.release, 0)
        .catch((err: Error) =>
          this.logger?.warn({ relay: this.id, err: err.message }, 'bridge release on stop failed'),
        );
    }
    this.link.off('relay', this.onMcuRelay);
    await this.link.release();
  }

  health(): ModuleHealth {
    return this.link.health();
  }

  get(): boolean {
    return this.on;
  }

  set(unlocked: boolean): void {
    this.want = unlocked;
    if (this.renew) clearInterval(this.renew);
    this.renew = null;
    if (!unlocked) {
      this.on = false;
      this.send(RELAY_MODE.release, 0);
      return;
    }
    this.on = true;
    this.send(RELAY_MODE.pulse, this.link.opts.maxPulseMs);
    this.renew = setInterval(
      () => this.send(RELAY_MODE.pulse, this.link.opts.maxPulseMs),
      this.link.opts.maxPulseMs / 2,
    );
  }

  private send(mode: number, ms: number): void {
    this.inFlight++;
    this.link.relay(mode, ms).then(
      () => {
        this.inFlight--;
      },
      (err: Error) => {
        this.inFlight--;
        // Fail secure: a pulse that was not granted means locked.
        if (mode !== RELAY_MODE.release && this.want) this.on = false;
        this.logger?.warn({ relay: this.id, err: err.message }, 'bridge relay request failed');
      },
    );
  }
}

/** One debounced input of the bridge (debounced by the MCU, 20 ms). */
export class BridgeInput extends EventEmitter<{ change: [boolean] }> implements DigitalInput {
  private value = false;
  private readonly bit: number;
  private readonly onInput = (ev: { input: number; active: boolean }) => {
    if (ev.input === this.bit) this.update(ev.active);
  };
  /** Heartbeats carry every input: a missed INPUT frame is corrected within a second. */
  private readonly onBeat = (hb: { inputs: number }) => this.update((hb.inputs & (1 << this.bit)) !== 0);

  constructor(
    readonly id: string,
    input: BridgeInputName,
    private readonly link: BridgeLink,
  ) {
    super();
    this.bit = INPUTS.indexOf(input);
  }

  async start(): Promise<void> {
    this.link.on('input', this.onInput);
    this.link.on('heartbeat', this.onBeat);
    await this.link.acquire();
  }

  async stop(): Promise<void> {
    this.link.off('input', this.onInput);
    this.link.off('heartbeat', this.onBeat);
    await this.link.release();
  }

  health(): ModuleHealth {
    return this.link.health();
  }

  read(): boolean {
    return this.value;
  }

  private update(active: boolean): void {
    if (active === this.value) return;
    this.value = active;
    this.emit('change', active);
  }
}

/**
 * A Wiegand reader on the bridge. Reads of a known format with good parity become credentials of
 * kind 'wiegand' with value `FORMAT:facility:card` (e.g. `H10301:123:4567`). Parity errors and
 * reads of unknown length are counted (and seen as the link's 'card' events) — never credentials.
 * Card numbers are not logged.
 */
/** A read that is not a card: the door journals it (card_read_error) and decides nothing. */
export interface WiegandReadError {
  readerId: string;
  status: CardRead['status'] | 'unknown_format';
  bits: number;
}

export class BridgeWiegandReader
  extends EventEmitter<{ credential: [Credential] }>
  implements CredentialReader
{
  readonly stats = { cards: 0, parityErrors: 0, unknownFormat: 0 };
  /** Bad reads, one 'read' event each (apart from 'credential', which CredentialReader fixes). */
  readonly readErrors = new EventEmitter<{ read: [WiegandReadError] }>();
  private readonly onCard = (card: CardRead) => this.handle(card);

  constructor(
    readonly id: string,
    private readonly link: BridgeLink,
    private readonly logger?: Logger,
  ) {
    super();
  }

  async start(): Promise<void> {
    this.link.on('card', this.onCard);
    await this.link.acquire();
  }

  async stop(): Promise<void> {
    this.link.off('card', this.onCard);
    await this.link.release();
  }

  health(): ModuleHealth {
    const h = this.link.health();
    const s = this.stats;
    const bad = s.parityErrors + s.unknownFormat;
    return bad ? { ...h, detail: `${h.detail ?? ''}; bad reads ${bad} (parity ${s.parityErrors})` } : h;
  }

  /** The bridge drives no reader LED or beeper. */
  feedback(_result: ReaderFeedback): void {}

  private handle(card: CardRead): void {
    if (card.status !== 'ok' || card.format === 'raw' || card.format === 'unknown') {
      if (card.status === 'parity_error') this.stats.parityErrors++;
      else this.stats.unknownFormat++;
      this.logger?.warn({ reader: this.id, bits: card.bits, status: card.status }, 'Wiegand read rejected');
      const status = card.status === 'ok' ? 'unknown_format' : card.status;
      this.safeEmit(() => this.readErrors.emit('read', { readerId: this.id, status, bits: card.bits }));
      return;
    }
    this.stats.cards++;
    this.safeEmit(() =>
      this.emit('credential', {
        kind: 'wiegand',
        value: `${card.format}:${card.facility}:${card.card}`,
        readerId: this.id,
      }),
    );
  }

  private safeEmit(emit: () => void): void {
    try {
      emit();
    } catch (err) {
      // A listener's fault must not take the link down; the door fails secure on its own.
      this.logger?.error({ err, reader: this.id }, 'credential listener failed');
    }
  }
}
