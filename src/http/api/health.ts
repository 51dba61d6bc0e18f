/** GET /healthz: every module's state; 503 when the door cannot do its job. Public. */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../deps.js';

export const healthRoutes: FastifyPluginAsync<Pick<AppDeps, 'health'>> = async (app, { health }) => {
  app.get('/healthz', { config: { access: 'public' } }, async (_req, reply) => {
    const h = health();
    return reply.status(h.ok ? 200 : 503).send(h);
  });
};
