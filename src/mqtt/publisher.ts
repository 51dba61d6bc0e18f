/**
 * The journal consumer: publishes every event from the saved cursor, in order, at QoS 1, and moves
 * the cursor only past events the broker acknowledged (PUBACK), contiguously. While caught up it
 * takes events straight from the journal's 'appended' signal; behind, it reads through the
 * journal's reader (`journal.readFrom`).
 * A poison event (one that cannot become an MQTT message) is reported, raised as an alarm in the
 * journal (once per seq: the cursor file remembers the highest one reported), and skipped, so it
 * never blocks the queue.
 *
 * It never reads past the journal's durable seq: an event that a deferred append has written but
 * not yet fsynced could still vanish in a power cut, and must not reach subscribers first.
 */
import type { Logger } from 'pino';
import { AppError } from '../domain/errors.js';
import type { JournalEvent } from '../domain/events.js';
import type { CursorFile } from '../store/cursor.js';
import type { Journal } from '../store/journal.js';
import type { JournalReader } from '../store/journal-reader.js';
import { accessMessage, eventMessage, journalHeadMessage } from './payloads.js';
import { assertPublishable, type Topics } from './topics.js';

export interface OutboundMessage {
  topic: string;
  payload: string;
}

/** What the publisher needs from the client: a QoS 1 publish whose callback fires on PUBACK. */
export interface PublishSink {
  readonly connected: boolean;
  publishQos1(topic: string, payload: string, done: (err?: Error | null) => void): void;
  /** Retained QoS 1 publish for the journal head anchor; absent: no head topic. */
  publishRetained?(topic: string, payload: string): void;
}

export interface PublisherContext {
  journal: Journal;
  cursor: CursorFile;
  topics: Topics;
  sink: PublishSink;
  logger: Logger;
  /** Largest payload accepted; bigger events are poison. */
  maxPayloadBytes?: number;
  /**
   * PUBLISH packets sent and not yet acknowledged (PUBACK): `mqtt.maxInflight`. An event's messages
   * go together, so the next event goes out while fewer than this are outstanding (at most this
   * plus its other messages, one more for an access event).
   */
  window?: number;
}

/** The default of `mqtt.maxInflight` (src/config/schema.ts), for contexts built without a config. */
export const DEFAULT_WINDOW = 128;

/**
 * An event between its first PUBLISH and the cursor moving past it. One PUBACK callback per event,
 * shared by its messages (not one closure per message).
 */
interface InFlight {
  ev: JournalEvent;
  remaining: number;
  failed: boolean;
  done: (err?: Error | null) => void;
}

const LIVE_MAX = 10_000;
/** Lines per journal read while behind (one file open and one 64 KiB read per block). */
const READ_BLOCK = 512;

/** An event that cannot become an MQTT message: `event_unpublishable` in the error catalogue. */
export class PoisonEventError extends AppError {
  constructor(reason: string) {
    super('event_unpublishable', { reason }, reason);
    this.name = 'PoisonEventError';
  }
}

/**
 * Event topics by type, each checked with assertPublishable once: a journal holds a handful of
 * types, so the check (and the string building) is not repeated for every event. A type whose
 * topic is refused is not cached and fails each time (each such event is poison).
 */
const topicCaches = new WeakMap<Topics, Map<string, string>>();

function eventTopic(topics: Topics, type: string): string {
  let cache = topicCaches.get(topics);
  if (!cache) {
    cache = new Map();
    topicCaches.set(topics, cache);
  }
  let topic = cache.get(type);
  if (topic === undefined) {
    topic = assertPublishable(topics.event(type));
    if (cache.size < 1000) cache.set(type, topic);
  }
  return topic;
}

/** Turns one journal event into the messages it is published as; throws PoisonEventError. */
export function messagesFor(ev: JournalEvent, topics: Topics, maxPayloadBytes: number): OutboundMessage[] {
  const out: OutboundMessage[] = [];
  try {
    const main = JSON.stringify(eventMessage(ev));
    if (typeof main !== 'string') throw new Error('serialises to nothing');
    out.push({ topic: eventTopic(topics, ev.type), payload: main });
    const access = accessMessage(ev);
    if (access) out.push({ topic: topics.access, payload: JSON.stringify(access) });
  } catch (err) {
    throw new PoisonEventError((err as Error).message);
  }
  for (const m of out) {
    // A UTF-8 byte is at most 3 per UTF-16 unit: short payloads need no byte count.
    if (m.payload.length * 3 <= maxPayloadBytes) continue;
    const size = Buffer.byteLength(m.payload);
    if (size > maxPayloadBytes)
      throw new PoisonEventError(`payload of ${size} bytes is over the ${maxPayloadBytes}-byte limit`);
  }
  return out;
}

export class EventPublisher {
  private nextSeq = 1;
  private readonly inflight: InFlight[] = [];
  private live: JournalEvent[] = [];
  /** Reading from the journal while behind; dropped while the live buffer has the next event. */
  private reader: JournalReader | null = null;
  private running = false;
  private pumping = false;
  private generation = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly maxPayloadBytes: number;
  private readonly window: number;
  private pumpQueued = false;
  /** PUBLISH packets of this generation sent and not yet acknowledged. */
  private unacked = 0;
  /** The last event the cursor moved past, its head message not yet published. */
  private headToPublish: JournalEvent | null = null;
  /** The next event, already turned into messages, waiting for room in the window. */
  private held: { ev: JournalEvent; messages: OutboundMessage[] } | null = null;
  /** Highest poison seq counted in stats this run (a rewind meets the same one again). */
  private countedPoisonSeq = 0;
  private readonly onAppended = (ev: JournalEvent) => {
    if (this.live.length < LIVE_MAX) this.live.push(ev);
    else this.live = []; // too far behind: the files have it
    // Not inside the append: the tap that appended finishes (relay, reader) before we serialise.
    this.schedulePump();
  };
  readonly stats = { published: 0, acked: 0, poison: 0, lastError: null as string | null };

  constructor(private readonly ctx: PublisherContext) {
    this.maxPayloadBytes = ctx.maxPayloadBytes ?? 256 * 1024;
    this.window = Math.max(1, ctx.window ?? DEFAULT_WINDOW);
  }

  /** The last seq on disk for sure: the publisher reads no further. */
  private get durableSeq(): number {
    return this.ctx.journal.durableSeq;
  }

  start(): void {
    const saved = this.ctx.cursor.load();
    if (this.ctx.cursor.loadProblem !== null) {
      this.ctx.logger.warn(
        { file: this.ctx.cursor.path, problem: this.ctx.cursor.loadProblem },
        'mqtt cursor file unreadable; republishing every event from seq 1 (at least once: subscribers dedupe by id)',
      );
    }
    const durable = this.durableSeq;
    if (saved.seq > durable) {
      // The cursor is ahead of the journal: the journal was replaced (restored from a backup, or
      // a new data dir with an old cursor). Its seqs name other events now: send it all again.
      this.ctx.logger.warn(
        { cursorSeq: saved.seq, cursorId: saved.id, cursorAt: saved.at, journalDurableSeq: durable },
        'mqtt cursor is ahead of the journal (the journal was replaced?); resetting the cursor and republishing every event from seq 1 (subscribers dedupe by id)',
      );
      this.ctx.cursor.reset({ seq: 0, id: null, at: null, poisonSeq: 0 });
    }
    this.nextSeq = this.ctx.cursor.seq + 1;
    this.running = true;
    this.ctx.journal.on('appended', this.onAppended);
    this.pump();
  }

  stop(): void {
    this.publishHead();
    this.running = false;
    this.ctx.journal.off('appended', this.onAppended);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.reader = null;
    this.live = [];
    this.held = null;
    if (!this.ctx.cursor.flush()) {
      this.ctx.logger.warn(
        { err: this.ctx.cursor.lastError, seq: this.ctx.cursor.seq },
        'mqtt cursor not saved at stop; events after the last saved one will be sent again',
      );
    }
    this.ctx.cursor.close();
  }

  /** Events durable in the journal and not yet acknowledged by the broker. */
  get backlog(): number {
    return Math.max(0, this.durableSeq - this.ctx.cursor.seq);
  }

  /** Why the cursor file could not be written; null when it is saved. */
  get cursorError(): string | null {
    return this.ctx.cursor.lastError;
  }

  get acknowledgedSeq(): number {
    return this.ctx.cursor.seq;
  }

  /**
   * Publishes as far as the window allows; called on connect, on append and after PUBACKs. The
   * window counts PUBLISH packets, not events, and a slot reopens with each PUBACK: the refill goes
   * out while the broker's next PUBACKs are still coming, so data flows both ways (a window that
   * waits for whole events stalls on Mosquitto's unpushed PUBACKs and the delayed ACK, 40 ms a turn).
   * The queue of events waiting for the cursor is bounded too (a head that is never acknowledged
   * must not let the rest run on without limit).
   */
  pump(): void {
    if (!this.running || this.pumping) return;
    this.pumping = true;
    try {
      const maxQueued = this.window * 4;
      while (this.running && this.ctx.sink.connected && this.inflight.length < maxQueued) {
        let next = this.held;
        this.held = null;
        if (!next) {
          const ev = this.next();
          if (!ev) break;
          this.nextSeq = ev.seq + 1;
          let messages: OutboundMessage[];
          try {
            messages = messagesFor(ev, this.ctx.topics, this.maxPayloadBytes);
          } catch (err) {
            this.skipPoison(ev, err as Error);
            continue;
          }
          next = { ev, messages };
        }
        // One free slot sends the whole next event (at most window + its other messages in
        // flight): waiting for as many slots as it has messages stalls just like whole events.
        if (this.unacked >= this.window) {
          this.held = next; // sent at the next PUBACK
          break;
        }
        this.send(next.ev, next.messages);
      }
    } finally {
      this.pumping = false;
    }
  }

  private skipPoison(ev: JournalEvent, err: Error): void {
    this.poison(ev.seq, ev.id, ev.type, err.message);
    this.inflight.push({ ev, remaining: 0, failed: false, done: () => {} });
    this.settle();
  }

  private send(ev: JournalEvent, messages: OutboundMessage[]): void {
    const gen = this.generation;
    const entry: InFlight = {
      ev,
      remaining: messages.length,
      failed: false,
      done: (err) => {
        if (gen !== this.generation || !this.running) return;
        if (err) {
          entry.failed = true;
          this.rewind(err);
          return;
        }
        this.unacked--;
        entry.remaining--;
        if (entry.remaining === 0) this.stats.acked++;
        this.settle();
      },
    };
    this.inflight.push(entry);
    this.unacked += messages.length;
    this.stats.published += messages.length;
    for (const m of messages) this.ctx.sink.publishQos1(m.topic, m.payload, entry.done);
  }

  /** Advances the cursor over the acknowledged head of the in-flight queue. */
  private settle(): void {
    let last: JournalEvent | null = null;
    while (this.inflight.length > 0 && this.inflight[0]!.remaining === 0 && !this.inflight[0]!.failed) {
      last = this.inflight.shift()!.ev;
    }
    if (last) {
      this.ctx.cursor.advance({ seq: last.seq, id: last.id, at: last.at });
      this.headToPublish = last;
    }
    // One refill (and one head message) for all the PUBACKs of a socket read: a microtask, after
    // the read's callbacks. From inside pump (a poison event skipped) only the head needs it.
    if (last || !this.pumping) this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.publishHead();
      this.pump();
    });
  }

  /**
   * The head the broker has: retained, so the dashboard keeps a copy outside the Pi. Once per
   * batch of PUBACKs (the microtask after a socket read), not once per event: while a backlog
   * drains, a retained publish per event would be a third more messages for the broker.
   */
  private publishHead(): void {
    const last = this.headToPublish;
    if (!last || !this.running) return;
    this.headToPublish = null;
    this.ctx.sink.publishRetained?.(
      assertPublishable(this.ctx.topics.journalHead),
      JSON.stringify(journalHeadMessage(last)),
    );
  }

  /** A publish failed (not a disconnect, which the client retries itself): start over from the cursor. */
  private rewind(err: Error): void {
    this.stats.lastError = err.message;
    this.ctx.logger.warn(
      { err: err.message, from: this.ctx.cursor.seq + 1 },
      'mqtt publish failed; retrying',
    );
    this.generation++;
    this.inflight.length = 0;
    this.unacked = 0;
    this.held = null;
    this.nextSeq = this.ctx.cursor.seq + 1;
    this.reader = null;
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, 1000);
    this.retryTimer.unref();
  }

  private poison(seq: number, id: string | null, type: string | null, reason: string): void {
    if (seq > this.countedPoisonSeq) {
      this.countedPoisonSeq = seq;
      this.stats.poison++;
    }
    const cursor = this.ctx.cursor;
    if (seq <= cursor.poisonSeq) {
      // Already reported (before a rewind or a restart): skip it without a second alarm.
      this.ctx.logger.debug({ seq, id, type }, 'mqtt: poison event skipped again (already reported)');
      return;
    }
    this.ctx.logger.error({ seq, id, type, reason }, 'mqtt: poison event skipped');
    try {
      this.ctx.journal.append({ type: 'alarm.mqtt_poison', data: { seq, id, eventType: type, reason } });
    } catch (err) {
      // Not noted as reported: the next pass over this seq tries the alarm again.
      this.ctx.logger.error({ err }, 'mqtt: poison alarm not journaled');
      return;
    }
    cursor.notePoison(seq);
  }

  /** The event at nextSeq, from the live buffer or the journal; undefined when caught up. */
  private next(): JournalEvent | undefined {
    for (;;) {
      while (this.live.length > 0 && this.live[0]!.seq < this.nextSeq) this.live.shift();
      const head = this.live[0];
      if (head && head.seq === this.nextSeq) {
        this.reader = null;
        return this.live.shift();
      }
      if (this.nextSeq > this.durableSeq) return undefined;
      this.reader ??= this.ctx.journal.readFrom(this.nextSeq - 1, { blockSize: READ_BLOCK });
      const entry = this.reader.next();
      if (!entry) return undefined;
      if (entry.kind === 'bad') {
        // An unreadable line: its seq is unknown, so report at the position we were waiting for.
        this.poison(this.nextSeq, null, null, `journal ${entry.problem}`);
        continue;
      }
      if (entry.event.seq < this.nextSeq) continue;
      return entry.event;
    }
  }
}
