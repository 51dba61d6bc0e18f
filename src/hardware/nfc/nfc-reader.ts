/**
 * One configured NFC reader (entry, exit or enrol), bound by name pattern to a PC/SC reader that
 * the shared PcscManager finds. It reads the card in one transaction (card-read.ts: the UID alone,
 * or, with genuine cards on, the NTAG 424 DNA authentication), and emits one credential per tap
 * carrying its proof; an enrol reader's credential can personalise the card while it is held:
 *  - a card held on the reader is one tap: it must leave before it counts again;
 *  - the same card again within `debounceMs` of its last tap is a bounce at the edge of the field,
 *    not a new tap (other cards are not held back: an escort taps right after a visitor).
 * Reader feedback (LED/buzzer) is sent only to ACR122U-class readers, never awaited.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Ntag424KeyMaterial } from '../../domain/credential-keys.js';
import { shortUid } from '../../domain/events.js';
import type { ModuleHealth } from '../../lifecycle.js';
import type { Credential, CredentialReader, PersonaliseOutcome, ReaderFeedback } from '../interfaces.js';
import { feedbackApdu, supportsAcrFeedback } from './acr122-feedback.js';
import { readCard, readUid, uidOfAnswer } from './card-read.js';
import type { Transmit } from './ntag424/card-link.js';
import { personaliseNtag424 } from './ntag424/personalise.js';
import type { PcscBinding, PcscManager } from './pcsc-manager.js';
import type { PcscCard, PcscReader } from './pcsc-types.js';

/** PC/SC part 3 GET DATA: the card's UID (the reader answers for the card). */
export const GET_UID_APDU = Buffer.from([0xff, 0xca, 0x00, 0x00, 0x00]);

/** Longest answer of a tap or an enrolment (GetCardUID in full mode is 26 bytes). */
const MAX_ANSWER = 64;

export interface NfcReaderOptions {
  id: string;
  /** Case-insensitive regular expression matched against PC/SC reader names. */
  namePattern: string;
  debounceMs: number;
  feedback: boolean;
  manager: PcscManager;
  logger: Logger;
  mono?: () => number;
  /** enrol: the card is not authenticated, its credential offers `personalise` instead. */
  role?: 'entry' | 'exit' | 'enrol';
  /** This site's NTAG 424 DNA keys, read at each tap; null or absent: UID only. */
  keys?: () => Ntag424KeyMaterial | null;
}

export class NfcReader
  extends EventEmitter<{ credential: [Credential] }>
  implements CredentialReader, PcscBinding
{
  readonly id: string;
  private readonly pattern: RegExp;
  private reader: PcscReader | null = null;
  private running = false;
  private lastUnbound: string | null = null;
  /** A counted card is on the reader; nothing counts until it leaves. */
  private held = false;
  /** Bumped by every 'card' and 'card.off': a UID read knows whether its card is still on. */
  private presence = 0;
  private readonly lastTap = new Map<string, number>();
  private readonly log: Logger;
  private readonly mono: () => number;
  private detachReader: (() => void) | null = null;
  /** Counters for health and tests. */
  readonly stats = {
    taps: 0,
    held: 0,
    bounced: 0,
    rejected: 0,
    removed: 0,
    feedbackSent: 0,
    feedbackFailed: 0,
    /** APDUs of the last tap (the bench reports it). */
    lastApdus: 0,
  };

  constructor(private readonly opts: NfcReaderOptions) {
    super();
    this.id = opts.id;
    this.pattern = new RegExp(opts.namePattern, 'i');
    this.log = opts.logger;
    this.mono = opts.mono ?? (() => performance.now());
  }

  async start(): Promise<void> {
    this.running = true;
    await this.opts.manager.attach(this);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.opts.manager.detach(this);
  }

  health(): ModuleHealth {
    if (!this.running) return { state: 'stopped' };
    if (this.reader) return { state: 'ok', detail: this.reader.name };
    const m = this.opts.manager.health();
    const why =
      m.state === 'up' ? `no PC/SC reader matches /${this.opts.namePattern}/i` : (m.detail ?? m.state);
    return { state: 'down', detail: this.lastUnbound ? `${why} (last: ${this.lastUnbound})` : why };
  }

  // --- PcscBinding ---

  get boundName(): string | null {
    return this.reader?.name ?? null;
  }

  matches(readerName: string): boolean {
    return this.pattern.test(readerName);
  }

  bind(reader: PcscReader): void {
    this.detachReader?.();
    this.reader = reader;
    this.held = false;
    const onCard = (card: PcscCard) => void this.onCard(reader, card, ++this.presence);
    const onOff = () => {
      this.presence++;
      this.held = false;
    };
    reader.on('card', onCard);
    reader.on('card.off', onOff);
    this.detachReader = () => {
      reader.off('card', onCard);
      reader.off('card.off', onOff);
    };
    this.log.info({ reader: this.id, pcsc: reader.name }, 'NFC reader ready');
  }

  unbind(reason: string): void {
    if (!this.reader) return;
    this.lastUnbound = `${this.reader.name}: ${reason}`;
    this.detachReader?.();
    this.detachReader = null;
    this.reader = null;
    this.held = false;
    if (this.running) this.log.warn({ reader: this.id, reason }, 'NFC reader lost');
  }

  // --- taps ---

  private async onCard(reader: PcscReader, card: PcscCard, presence: number): Promise<void> {
    if (this.held) {
      this.stats.held++;
      return;
    }
    const transmit: Transmit = (apdu) => reader.transmit(apdu, MAX_ANSWER);
    const keys = this.opts.keys?.() ?? null;
    const enrol = this.opts.role === 'enrol';
    const read = enrol ? await readUid(transmit) : await readCard(transmit, card.atr, keys);
    this.stats.lastApdus = read.apdus;
    if (reader !== this.reader || !this.running) return;
    if (!read.ok) {
      if (read.why === 'removed') {
        // Card gone before it was done: not a tap; the next card is read afresh.
        this.stats.removed++;
        this.log.debug({ reader: this.id, detail: read.detail }, 'card left before it was read');
        return;
      }
      this.stats.rejected++;
      this.log.warn(
        { reader: this.id, detail: read.detail, atr: card.atr?.length ?? 0 },
        'card UID refused (need 4, 7 or 10 bytes)',
      );
      this.feedback('deny');
      return;
    }
    const uid = read.uid;
    // Held until it leaves — unless it already left while its UID was read (a quick swipe): then
    // 'card.off' has come and gone, and a held flag set now would swallow the next card's tap.
    this.held = this.presence === presence;
    const now = this.mono();
    const last = this.lastTap.get(uid);
    if (last !== undefined && now - last < this.opts.debounceMs) {
      this.stats.bounced++;
      this.log.debug({ reader: this.id, card: shortUid(uid) }, 'same card again within debounce: ignored');
      return;
    }
    this.lastTap.set(uid, now);
    if (this.lastTap.size > 256) this.pruneTaps(now);
    this.stats.taps++;
    const credential: Credential = { kind: 'nfc', value: uid, readerId: this.id, proof: read.proof };
    if (enrol && keys) credential.personalise = () => this.personalise(transmit, card, keys, presence);
    this.emit('credential', credential);
  }

  /** Keys the card still on the reader as this site's badge; a card that left is not touched. */
  private async personalise(
    transmit: Transmit,
    card: PcscCard,
    keys: Ntag424KeyMaterial,
    presence: number,
  ): Promise<PersonaliseOutcome> {
    if (this.presence !== presence) return { ok: false, reason: 'card_removed', detail: 'the card left' };
    // The anticollision UID of a plain card, for a site that may still bind it by UID.
    let claimed: string | undefined;
    const watching: Transmit = async (apdu) => {
      const answer = await transmit(apdu);
      if (claimed === undefined && apdu.equals(GET_UID_APDU)) claimed = uidOfAnswer(answer) ?? undefined;
      return answer;
    };
    const r = await personaliseNtag424(watching, { keys, ...(card.atr ? { atr: card.atr } : {}) });
    this.stats.lastApdus = r.apdus;
    if (r.ok) return { ok: true, uid: r.uid, keyVersion: r.keyVersion };
    return { ok: false, reason: r.reason, detail: r.detail, ...(claimed ? { uid: claimed } : {}) };
  }

  private pruneTaps(now: number): void {
    for (const [k, t] of this.lastTap) if (now - t >= this.opts.debounceMs) this.lastTap.delete(k);
  }

  /** LED/buzzer where the reader has them; never blocks the decision, never throws. */
  feedback(result: ReaderFeedback): void {
    const reader = this.reader;
    if (!this.opts.feedback || !reader || !supportsAcrFeedback(reader.name)) return;
    try {
      reader.transmit(feedbackApdu(result), 2).then(
        () => {
          this.stats.feedbackSent++;
        },
        (err: unknown) => {
          this.stats.feedbackFailed++;
          this.log.debug({ reader: this.id, err: (err as Error).message }, 'feedback not shown');
        },
      );
    } catch (err) {
      // nfc-pcsc throws synchronously when the card has already left.
      this.stats.feedbackFailed++;
      this.log.debug({ reader: this.id, err: (err as Error).message }, 'feedback not shown');
    }
  }
}
