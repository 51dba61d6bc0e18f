import type { FastifyInstance } from 'fastify';
import type { BadgeKind, Role } from '../../domain/types.js';
import { publicBadge } from '../../services/badge-service.js';
import { publicUser } from '../../services/user-service.js';
import { ADMINS, type AppDeps, actorOf, SUPERADMIN } from '../app.js';
import { idParams, newBadgeBody, newUserBody, patchUserBody, reasonBody } from '../schemas.js';
import type { Sessions } from '../sessions.js';

export function registerAdminRoutes(app: FastifyInstance, deps: AppDeps, sessions: Sessions): void {
  // Admins need the user list to pick escorts.
  app.get('/api/users', { config: { access: ADMINS }, schema: { tags: ['users'] } }, async () => ({
    users: deps.users.list().map(publicUser),
  }));

  app.post<{
    Body: { username: string; displayName: string; role: Role; escort: boolean; password: string };
  }>(
    '/api/users',
    { config: { access: SUPERADMIN }, schema: { tags: ['users'], body: newUserBody } },
    async (req, reply) =>
      reply.status(201).send({ user: publicUser(await deps.users.create(req.body, actorOf(req))) }),
  );

  app.patch<{
    Params: { id: string };
    Body: { displayName?: string; role?: Role; escort?: boolean; active?: boolean; password?: string };
  }>(
    '/api/users/:id',
    { config: { access: SUPERADMIN }, schema: { tags: ['users'], params: idParams, body: patchUserBody } },
    async (req) => {
      const user = await deps.users.update(req.params.id, req.body, actorOf(req));
      if (req.body.active === false || req.body.password !== undefined) sessions.revokeUser(user.id);
      return { user: publicUser(user) };
    },
  );

  app.get<{ Querystring: { kind?: BadgeKind; available?: 'true' | 'false' } }>(
    '/api/badges',
    {
      config: { access: ADMINS },
      schema: {
        tags: ['badges'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: ['staff', 'visitor'] },
            available: { type: 'string', enum: ['true', 'false'] },
            lang: { type: 'string', enum: ['id', 'en'] },
          },
        },
      },
    },
    async (req) => ({
      badges: deps.badges
        .list({
          kind: req.query.kind,
          available: req.query.available === undefined ? undefined : req.query.available === 'true',
        })
        .map(publicBadge),
    }),
  );

  app.post<{ Body: { uid: string; label: string; kind: BadgeKind; userId?: string | null } }>(
    '/api/badges',
    { config: { access: ADMINS }, schema: { tags: ['badges'], body: newBadgeBody } },
    async (req, reply) => {
      return reply
        .status(201)
        .send({ badge: publicBadge(await deps.badges.register(req.body, actorOf(req))) });
    },
  );

  app.post<{ Params: { id: string }; Body: { reason?: string | null } }>(
    '/api/badges/:id/deactivate',
    { config: { access: ADMINS }, schema: { tags: ['badges'], params: idParams, body: reasonBody(false) } },
    async (req) => ({
      badge: publicBadge(await deps.badges.setActive(req.params.id, false, req.body.reason, actorOf(req))),
    }),
  );

  app.post<{ Params: { id: string }; Body: { reason?: string | null } }>(
    '/api/badges/:id/activate',
    {
      config: { access: SUPERADMIN },
      schema: { tags: ['badges'], params: idParams, body: reasonBody(false) },
    },
    async (req) => ({
      badge: publicBadge(await deps.badges.setActive(req.params.id, true, req.body.reason, actorOf(req))),
    }),
  );
}
