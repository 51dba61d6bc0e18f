/**
 * Badges: list, register, deactivate (lost, stolen), reactivate. Who may register which kind is the
 * badge service's rule (staff badges by a superadmin only), not this file's.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { BadgeKind } from '../../domain/types.js';
import { type BadgeService, publicBadge } from '../../services/badge-service.js';
import { ADMINS, actorOf, SUPERADMIN } from '../auth.js';
import { listBadgesQuery, newBadgeBody } from '../schemas/badges.js';
import { idParams, reasonBody } from '../schemas/shared.js';

export const badgeRoutes: FastifyPluginAsync<{ badges: BadgeService }> = async (app, { badges }) => {
  const tags = ['badges'];

  app.get<{ Querystring: { kind?: BadgeKind; available?: 'true' | 'false' } }>(
    '/api/badges',
    { config: { access: ADMINS }, schema: { tags, querystring: listBadgesQuery } },
    async (req) => ({
      badges: badges
        .list({
          kind: req.query.kind,
          available: req.query.available === undefined ? undefined : req.query.available === 'true',
        })
        .map(publicBadge),
    }),
  );

  app.post<{ Body: { uid: string; label: string; kind: BadgeKind; userId?: string | null } }>(
    '/api/badges',
    { config: { access: ADMINS }, schema: { tags, body: newBadgeBody } },
    async (req, reply) =>
      reply.status(201).send({ badge: publicBadge(await badges.register(req.body, actorOf(req))) }),
  );

  app.post<{ Params: { id: string }; Body: { reason?: string | null } }>(
    '/api/badges/:id/deactivate',
    { config: { access: ADMINS }, schema: { tags, params: idParams, body: reasonBody(false) } },
    async (req) => ({
      badge: publicBadge(await badges.setActive(req.params.id, false, req.body.reason, actorOf(req))),
    }),
  );

  app.post<{ Params: { id: string }; Body: { reason?: string | null } }>(
    '/api/badges/:id/activate',
    { config: { access: SUPERADMIN }, schema: { tags, params: idParams, body: reasonBody(false) } },
    async (req) => ({
      badge: publicBadge(await badges.setActive(req.params.id, true, req.body.reason, actorOf(req))),
    }),
  );
};
