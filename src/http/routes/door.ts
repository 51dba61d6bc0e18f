import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { DoorMode } from '../../domain/types.js';
import { normaliseUid } from '../../domain/uid.js';
import { ADMINS, type AppDeps, actorOf, SUPERADMIN } from '../app.js';
import { modeBody, occupancyClearBody, simDoorBody, simTapBody } from '../schemas.js';

export function registerDoorRoutes(app: FastifyInstance, deps: AppDeps): void {
  const tags = ['door'];

  app.get('/api/door', { config: { access: ADMINS }, schema: { tags } }, async () => ({
    door: deps.door.snapshot(),
  }));

  app.post<{ Body: { mode: DoorMode; reason?: string | null } }>(
    '/api/door/mode',
    { config: { access: SUPERADMIN }, schema: { tags, body: modeBody } },
    async (req) => {
      const a = actorOf(req);
      deps.door.setMode(
        req.body.mode,
        { id: a.id, name: a.name, role: a.role, channel: 'http' },
        req.body.reason ?? undefined,
      );
      return { door: deps.door.snapshot() };
    },
  );

  app.post('/api/door/unlock', { config: { access: ADMINS }, schema: { tags } }, async (req) => {
    const a = actorOf(req);
    deps.door.commandUnlock({ id: a.id, name: a.name, role: a.role, channel: 'http' });
    return { door: deps.door.snapshot() };
  });

  app.post<{ Body: { badgeId?: string } }>(
    '/api/door/occupancy/clear',
    { config: { access: ADMINS }, schema: { tags, body: occupancyClearBody } },
    async (req) => {
      const a = actorOf(req);
      const gone = deps.door.clearOccupancy({ id: a.id, name: a.name }, req.body.badgeId);
      return { cleared: gone.map((o) => o.badgeId), door: deps.door.snapshot() };
    },
  );

  app.get<{ Querystring: { after?: string; limit?: string } }>(
    '/api/journal',
    {
      config: { access: ADMINS },
      schema: {
        tags: ['journal'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'string', pattern: '^[0-9]{1,15}$' },
            limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
            lang: { type: 'string', enum: ['id', 'en'] },
          },
        },
      },
    },
    async (req) => {
      const after = Number(req.query.after ?? 0);
      const limit = Math.min(Math.max(Number(req.query.limit ?? 100), 1), 1000);
      const events = deps.journal.read(after, limit);
      const last = events[events.length - 1];
      return { events, next: last ? last.seq : after, head: deps.journal.seq };
    },
  );

  // --- simulated hardware (only with hardware.driver = sim) ---
  const sim = () => {
    if (!deps.sim) throw new AppError('sim_disabled');
    return deps.sim;
  };

  app.post<{ Body: { reader: string; uid?: string; qr?: string } }>(
    '/api/sim/tap',
    { config: { access: ADMINS }, schema: { tags: ['sim'], body: simTapBody } },
    async (req) => {
      const reader = sim().readers.get(req.body.reader);
      if (!reader) throw new AppError('reader_not_found', { reader: req.body.reader });
      let result: unknown;
      const onTap = (r: unknown) => {
        result ??= r;
      };
      deps.door.once('tap', onTap);
      try {
        if (req.body.uid !== undefined) {
          const uid = normaliseUid(req.body.uid);
          if (!uid)
            throw new AppError('validation_failed', { field: 'uid', rule: '4, 7 or 10 bytes of hex' });
          reader.present('nfc', uid);
        } else {
          reader.present('qr', req.body.qr as string);
        }
      } finally {
        deps.door.off('tap', onTap);
      }
      return { result, door: deps.door.snapshot() };
    },
  );

  app.post<{ Body: { open: boolean } }>(
    '/api/sim/door',
    { config: { access: ADMINS }, schema: { tags: ['sim'], body: simDoorBody } },
    async (req) => {
      sim().doorContact.set(req.body.open);
      return { door: deps.door.snapshot() };
    },
  );

  app.post('/api/sim/exit-button', { config: { access: ADMINS }, schema: { tags: ['sim'] } }, async () => {
    sim().exitButton.pulse();
    return { door: deps.door.snapshot() };
  });
}
