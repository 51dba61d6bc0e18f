/**
 * GET /api/events/stream: journal events as Server-Sent Events, for dashboards and the console.
 * Resumes from a cursor — the `Last-Event-ID` header (each event's `id:` is its seq) or `?after=` —
 * reads with the journal reader and is woken by the journal's 'appended' event (one listener
 * for every open stream); a comment line
 * every 15 s keeps proxies from closing it. Payloads go through the MQTT edge scrubber (no NIK or
 * phone, even in free text). Closing the request removes its listener and timer.
 */
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { eventMessage } from '../../mqtt/payloads.js';
import type { Journal } from '../../store/journal.js';
import { ADMINS } from '../auth.js';
import { query } from '../schemas/shared.js';

const SEQ_RE = /^\d{1,15}$/;
const BLOCK = 256;

export interface EventStreamOptions {
  journal: Journal;
  /** Comment-line interval; 15 s. */
  heartbeatMs?: number;
}

/** Where a stream starts: Last-Event-ID wins over ?after=; neither: only events from now on. */
function cursorOf(
  lastEventId: string | string[] | undefined,
  after: string | undefined,
  head: number,
): number {
  const id = Array.isArray(lastEventId) ? lastEventId[0] : lastEventId;
  if (id !== undefined && id !== '') {
    if (!SEQ_RE.test(id.trim()))
      throw new AppError('validation_failed', { header: 'last-event-id', rule: 'a seq' });
    return Number(id.trim());
  }
  return after !== undefined ? Number(after) : head;
}

export const eventStreamRoutes: FastifyPluginAsync<EventStreamOptions> = async (app, opts) => {
  const { journal } = opts;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  /** Open streams, ended when the app closes (a stream never ends by itself). */
  const open = new Set<() => void>();
  /** One journal listener for all streams, there only while a stream is open. */
  const subscribers = new Set<() => void>();
  const onAppended = () => {
    for (const s of [...subscribers]) s();
  };
  const subscribe = (fn: () => void) => {
    if (subscribers.size === 0) journal.on('appended', onAppended);
    subscribers.add(fn);
  };
  const unsubscribe = (fn: () => void) => {
    subscribers.delete(fn);
    if (subscribers.size === 0) journal.off('appended', onAppended);
  };
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get<{ Querystring: { after?: string; follow?: 'true' | 'false' } }>(
    '/api/events/stream',
    {
      config: { access: ADMINS },
      schema: {
        tags: ['journal'],
        summary: 'Journal events as Server-Sent Events (text/event-stream)',
        description:
          'Each message: `id: <seq>` and `data: <event JSON>` (id, seq, type, at, door, data; NIK and phone scrubbed). Resume with the `Last-Event-ID` header or `?after=<seq>`; with neither, only new events. `?follow=false` sends what is there and ends. A `: heartbeat` comment every 15 s.',
        querystring: query({
          after: { type: 'string', pattern: '^[0-9]{1,15}$' },
          follow: { type: 'string', enum: ['true', 'false'] },
        }),
      },
    },
    async (req, reply) => {
      const after = cursorOf(req.headers['last-event-id'], req.query.after, journal.seq);
      const follow = req.query.follow !== 'false';
      const reader = journal.readFrom(after, { blockSize: BLOCK });
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 3000\n\n');

      let closed = false;
      let draining = false;
      const flush = () => {
        if (closed || draining) return;
        for (;;) {
          const events = reader.readEvents(BLOCK);
          if (events.length === 0) return;
          let ok = true;
          for (const ev of events)
            ok = res.write(`id: ${ev.seq}\ndata: ${JSON.stringify(eventMessage(ev))}\n\n`);
          if (!ok) {
            // A slow client: read on once its buffer has drained.
            draining = true;
            res.once('drain', () => {
              draining = false;
              flush();
            });
            return;
          }
        }
      };
      flush();
      if (!follow) {
        res.end();
        return;
      }
      const heartbeat = setInterval(() => {
        if (!closed) res.write(': heartbeat\n\n');
      }, heartbeatMs);
      heartbeat.unref();
      const cleanup = () => {
        if (closed) return;
        closed = true;
        unsubscribe(flush);
        clearInterval(heartbeat);
        open.delete(end);
      };
      const end = () => {
        cleanup();
        const socket = res.socket;
        if (!res.writableEnded) res.end();
        socket?.destroy();
      };
      open.add(end);
      subscribe(flush);
      // The client went away: end our side too, so the socket does not hold the server open.
      res.on('close', end);
    },
  );
};
