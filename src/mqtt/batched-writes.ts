/**
 * One socket write per tick for a burst of MQTT packets. mqtt-packet writes each PUBLISH as six
 * small chunks (header, length, topic length, topic, message id, payload); each one goes through
 * the stream's Writable machinery (a buffered entry, a string turned into its own Buffer), and the
 * tick's uncork hands the socket a writev of six iovecs per packet. Profiled while draining the
 * journal (bench/mqtt.ts), that machinery and the writev were the largest share of the publisher's
 * time. Here the chunks are copied into one slab as they come and written as one Buffer on the
 * next tick — the moment mqtt-packet's own cork/uncork would have flushed them — so order and
 * timing on the wire stay as they were; only the number of chunks changes.
 *
 * The slab is shared the way Node pools small Buffers: a flushed region is never written again,
 * the next packets go after it, and a new slab is taken only when one is full.
 */
import type { Writable } from 'node:stream';

const SLAB_BYTES = 64 * 1024;
const batched = new WeakSet<Writable>();

type WriteCallback = (err?: Error | null) => void;

/** Makes `stream.write` (and `end`) batch as above; a stream already batched is left alone. */
export function batchWrites(stream: Writable): void {
  if (batched.has(stream)) return;
  batched.add(stream);
  const write = stream.write.bind(stream) as (chunk: Uint8Array, cb?: WriteCallback) => boolean;
  const end = stream.end.bind(stream) as (...args: unknown[]) => Writable;
  let slab = Buffer.allocUnsafe(SLAB_BYTES);
  let start = 0; // the first byte not yet handed to the stream
  let used = 0;
  let queued = false;

  const flush = (cb?: WriteCallback): void => {
    queued = false;
    if (used === start) {
      if (cb) process.nextTick(cb);
      return;
    }
    const out = slab.subarray(start, used);
    start = used;
    if (stream.destroyed) {
      if (cb) process.nextTick(cb, new Error('stream destroyed'));
      return;
    }
    write(out, cb);
  };

  /** Room for `n` more bytes after the pending ones, in this slab or a new one. */
  const room = (n: number): void => {
    if (used + n <= slab.length) return;
    const pending = used - start;
    const next = Buffer.allocUnsafe(Math.max(SLAB_BYTES, 2 * (pending + n)));
    slab.copy(next, 0, start, used);
    slab = next;
    start = 0;
    used = pending;
  };

  stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
    if (typeof encoding === 'function') {
      cb = encoding;
      encoding = undefined;
    }
    if (typeof chunk === 'string') {
      const enc = (typeof encoding === 'string' ? encoding : 'utf8') as BufferEncoding;
      // At most 3 bytes per UTF-16 unit in UTF-8 (the only encoding MQTT strings use): no byteLength pass.
      room(enc === 'utf8' ? chunk.length * 3 : Buffer.byteLength(chunk, enc));
      used += slab.write(chunk, used, enc);
    } else {
      const bytes = chunk as Uint8Array;
      room(bytes.length);
      slab.set(bytes, used);
      used += bytes.length;
    }
    if (typeof cb === 'function')
      flush(cb as WriteCallback); // a caller waiting on this write: now
    else if (!queued) {
      queued = true;
      process.nextTick(flush);
    }
    // Back-pressure as the stream last reported it (at most one tick of packets behind).
    return !stream.writableNeedDrain;
  }) as Writable['write'];

  stream.end = ((...args: unknown[]): Writable => {
    flush();
    return end(...args);
  }) as Writable['end'];
}

/**
 * Batches the writes of every stream the client opens: the first one now, each reconnect's at its
 * CONNACK (only its CONNECT, and nothing after it, was written before).
 */
export function batchClientWrites(client: {
  stream: unknown;
  on(event: 'connect', cb: () => void): unknown;
}): void {
  batchWrites(client.stream as Writable);
  client.on('connect', () => batchWrites(client.stream as Writable));
}
