/**
 * The live door: the page, its SSE stream (a fragment on every door 'state' event and every
 * journaled tap, alarm or door event, so a tap shows within a second), the Super Admin's mode
 * change (reason + confirmation → door.setMode) and momentary unlock (door.commandUnlock), and
 * the evacuation roll call. The door rules decide; the routes only pass the caller.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { DoorCaller } from '../../../domain/door-modes.js';
import { AppError } from '../../../domain/errors.js';
import { DOOR_MODES, type DoorMode } from '../../../domain/types.js';
import { ADMINS, actorOf, SUPERADMIN } from '../../auth.js';
import type { ConsoleKit } from '../context.js';
import { field } from '../device-rows.js';
import { DoorFeed } from '../door-feed.js';
import { type DoorView, doorLiveFragment, doorPage, type FragmentContext } from '../pages/door.js';
import { rollCallPage } from '../pages/roll-call.js';
import { paths, withQuery } from '../paths.js';
import { SSE_KEEPALIVE, sseFragment } from '../sse.js';
import { formOf, sendPage } from './send.js';

const KEEPALIVE_MS = 25_000;

export const doorPages: FastifyPluginAsync<ConsoleKit> = async (app, kit) => {
  const { door, journal, users, badges } = kit.deps;
  const feed = new DoorFeed(journal, door);
  feed.start();
  const streams = new Set<ServerResponse>();
  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => {
    for (const s of streams) s.end();
    streams.clear();
  });
  app.addHook('onClose', async () => feed.stop());

  const doorView = (): DoorView => ({
    snapshot: door.snapshot(),
    names: Object.fromEntries(users.list().map((u) => [u.id, u.displayName])),
    badgeLabels: Object.fromEntries(badges.list().map((b) => [b.id, b.label])),
    recentTaps: feed.recentTaps(),
  });

  const caller = (req: FastifyRequest): DoorCaller => {
    const a = actorOf(req);
    return { id: a.id, name: a.name, role: a.role, channel: 'console' };
  };

  app.get(paths.door, { config: { access: ADMINS } }, async (req, reply) =>
    sendPage(reply, doorPage(kit.ctx(req, reply), doorView())),
  );

  app.get(paths.doorStream, { config: { access: ADMINS } }, async (req, reply: FastifyReply) => {
    const ctx = kit.ctx(req, reply);
    const f = (): FragmentContext => ({
      lang: ctx.lang,
      timeZone: ctx.timeZone,
      now: kit.deps.clock().toISOString(),
    });
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    let seq = 0;
    let queued = false;
    const send = () => {
      queued = false;
      if (!res.writableEnded) res.write(sseFragment(doorLiveFragment(f(), doorView()), ++seq));
    };
    // Several events of one tap (granted, unlocked, state) make one fragment.
    const onChanged = () => {
      if (queued) return;
      queued = true;
      setImmediate(send);
    };
    send();
    feed.on('changed', onChanged);
    streams.add(res);
    const keepalive = setInterval(() => res.write(SSE_KEEPALIVE), KEEPALIVE_MS);
    keepalive.unref();
    res.on('close', () => {
      clearInterval(keepalive);
      feed.off('changed', onChanged);
      streams.delete(res);
    });
  });

  app.post(paths.doorMode, { config: { access: SUPERADMIN } }, async (req, reply) => {
    const body = formOf(req.body);
    const mode = field(body, 'mode') as DoorMode;
    const reason = field(body, 'reason').slice(0, 500);
    if (!DOOR_MODES.includes(mode)) throw new AppError('validation_failed', { field: 'mode' });
    if (!reason) throw new AppError('reason_required');
    if (field(body, 'confirm') !== 'true')
      throw new AppError('precondition_failed', { missing: ['confirm'] });
    door.setMode(mode, caller(req), reason);
    return reply.redirect(withQuery(paths.door, { done: 'modeChanged' }), 303);
  });

  app.post(paths.doorUnlock, { config: { access: SUPERADMIN } }, async (req, reply) => {
    const reason = field(formOf(req.body), 'reason').slice(0, 500);
    if (!reason) throw new AppError('reason_required');
    door.commandUnlock(caller(req), reason);
    return reply.redirect(withQuery(paths.door, { done: 'unlocked' }), 303);
  });

  app.get(paths.rollCall, { config: { access: ADMINS } }, async (req, reply) => {
    const names = Object.fromEntries(users.list().map((u) => [u.id, u.displayName]));
    const page = rollCallPage(kit.ctx(req, reply), { inside: door.snapshot().inside, names });
    return sendPage(reply, page);
  });
};
