/**
 * What the embedded broker holds for its clients, bounded by count and bytes, per client and in
 * total: retained messages (a ledger consulted before a retained publish is accepted) and the
 * QoS 1 messages queued for persistent sessions (aedes' memory persistence, wrapped so a queue
 * that is full drops what comes next for that client instead of growing). Without these one client
 * could fill the broker's heap with retained messages (issue #11: 370,000 of 50 bytes).
 */
import { createRequire } from 'node:module';

/**
 * aedes' own memory persistence, resolved from aedes (it is aedes' dependency, not ours), so the
 * store wrapped here is the one aedes would make.
 */
const fromHere = createRequire(import.meta.url);
const memoryPersistence = createRequire(fromHere.resolve('aedes'))('aedes-persistence') as () => object;

export interface BrokerLimits {
  retainedPerClient: number;
  retainedBytesPerClient: number;
  retainedTotal: number;
  retainedBytesTotal: number;
  queuedPerClient: number;
  queuedBytesPerClient: number;
  queuedTotal: number;
  queuedBytesTotal: number;
}

export const DEFAULT_BROKER_LIMITS: BrokerLimits = {
  retainedPerClient: 1000,
  retainedBytesPerClient: 1 << 20,
  retainedTotal: 5000,
  retainedBytesTotal: 8 << 20,
  queuedPerClient: 10_000,
  queuedBytesPerClient: 8 << 20,
  queuedTotal: 50_000,
  queuedBytesTotal: 32 << 20,
};

interface Tally {
  count: number;
  bytes: number;
}

function add(t: Map<string, Tally>, key: string, bytes: number, sign: 1 | -1): void {
  const cur = t.get(key) ?? { count: 0, bytes: 0 };
  cur.count += sign;
  cur.bytes += sign * bytes;
  if (cur.count <= 0) t.delete(key);
  else t.set(key, cur);
}

/** Retained messages by topic: who set each and its size. */
export class RetainedLedger {
  private readonly byTopic = new Map<string, { owner: string; bytes: number }>();
  private readonly byClient = new Map<string, Tally>();
  private total: Tally = { count: 0, bytes: 0 };

  constructor(private readonly limits: BrokerLimits) {}

  /** Whether `owner` may set (or, with an empty payload, clear) the retained message of `topic`. */
  admit(owner: string, topic: string, payloadBytes: number): boolean {
    const prev = this.byTopic.get(topic);
    if (payloadBytes === 0) {
      if (prev) this.remove(topic, prev);
      return true;
    }
    const bytes = payloadBytes + Buffer.byteLength(topic);
    const mine = this.byClient.get(owner) ?? { count: 0, bytes: 0 };
    const sameOwner = prev?.owner === owner;
    const count = mine.count + (sameOwner ? 0 : 1);
    const ownBytes = mine.bytes + bytes - (sameOwner ? prev.bytes : 0);
    const totalCount = this.total.count + (prev ? 0 : 1);
    const totalBytes = this.total.bytes + bytes - (prev?.bytes ?? 0);
    const l = this.limits;
    if (count > l.retainedPerClient || ownBytes > l.retainedBytesPerClient) return false;
    if (totalCount > l.retainedTotal || totalBytes > l.retainedBytesTotal) return false;
    if (prev) this.remove(topic, prev);
    this.byTopic.set(topic, { owner, bytes });
    add(this.byClient, owner, bytes, 1);
    this.total = { count: this.total.count + 1, bytes: this.total.bytes + bytes };
    return true;
  }

  private remove(topic: string, prev: { owner: string; bytes: number }): void {
    this.byTopic.delete(topic);
    add(this.byClient, prev.owner, prev.bytes, -1);
    this.total = { count: this.total.count - 1, bytes: this.total.bytes - prev.bytes };
  }

  get count(): number {
    return this.total.count;
  }
}

interface QueuedPacket {
  topic: string;
  payload: Buffer | string;
}
interface Sub {
  clientId: string;
}
/**
 * The parts of aedes-persistence's async memory store that queue and clear outgoing messages; the
 * package types only its callback face.
 */
interface AsyncOutgoing {
  outgoingEnqueue(sub: Sub, packet: QueuedPacket): Promise<void>;
  outgoingEnqueueCombi(subs: Sub[], packet: QueuedPacket): Promise<void>;
  outgoingClearMessageId(client: { id: string }, packet: unknown): Promise<QueuedPacket | undefined>;
}

export interface QueueStats {
  queued: number;
  queuedBytes: number;
  dropped: number;
}

/**
 * aedes' memory persistence with bounded outgoing queues. Returns the persistence for
 * `Aedes.createBroker` and its live counters.
 */
export function boundedPersistence(
  limits: BrokerLimits,
  onDrop: (clientId: string) => void,
): { persistence: unknown; stats: QueueStats } {
  const persistence = memoryPersistence();
  // The callback layer delegates every call to this async store (callBackPersistence.js).
  const store = (persistence as unknown as { asyncPersistence: AsyncOutgoing }).asyncPersistence;
  const perClient = new Map<string, Tally>();
  const stats: QueueStats = { queued: 0, queuedBytes: 0, dropped: 0 };
  const size = (p: QueuedPacket) => Buffer.byteLength(p.payload) + Buffer.byteLength(p.topic);
  const admit = (sub: Sub, packet: QueuedPacket): boolean => {
    const bytes = size(packet);
    const mine = perClient.get(sub.clientId) ?? { count: 0, bytes: 0 };
    const ok =
      mine.count + 1 <= limits.queuedPerClient &&
      mine.bytes + bytes <= limits.queuedBytesPerClient &&
      stats.queued + 1 <= limits.queuedTotal &&
      stats.queuedBytes + bytes <= limits.queuedBytesTotal;
    if (!ok) {
      stats.dropped++;
      onDrop(sub.clientId);
      return false;
    }
    add(perClient, sub.clientId, bytes, 1);
    stats.queued++;
    stats.queuedBytes += bytes;
    return true;
  };
  const enqueue = store.outgoingEnqueue.bind(store);
  const enqueueCombi = store.outgoingEnqueueCombi.bind(store);
  const clear = store.outgoingClearMessageId.bind(store);
  store.outgoingEnqueue = async (sub, packet) => {
    if (admit(sub, packet)) await enqueue(sub, packet);
  };
  store.outgoingEnqueueCombi = async (subs, packet) => {
    await enqueueCombi(
      subs.filter((s) => admit(s, packet)),
      packet,
    );
  };
  store.outgoingClearMessageId = async (client, packet) => {
    const removed = await clear(client, packet);
    if (removed) {
      const bytes = size(removed);
      add(perClient, client.id, bytes, -1);
      stats.queued--;
      stats.queuedBytes -= bytes;
    }
    return removed;
  };
  return { persistence, stats };
}
