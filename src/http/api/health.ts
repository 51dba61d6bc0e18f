/**
 * GET /healthz: 200 when the door can do its job, 503 when not (journal unavailable, a required
 * part down, or no entry reader working). Anonymous callers (a load balancer,
 * a monitoring probe) learn up/down and each module's state, nothing more; a signed-in admin gets
 * the details (who is inside, the journal head, module details such as firmware versions).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ModuleHealth } from '../../lifecycle.js';
import type { AppDeps } from '../deps.js';

export const healthRoutes: FastifyPluginAsync<Pick<AppDeps, 'health'>> = async (app, { health }) => {
  app.get('/healthz', { config: { access: 'public' } }, async (req, reply) => {
    const h = health();
    if (req.actor) return reply.status(h.ok ? 200 : 503).send(h);
    const modules = (h.modules ?? {}) as Record<string, ModuleHealth>;
    return reply.status(h.ok ? 200 : 503).send({
      ok: h.ok,
      // Counts only: why a probe sees 503 when every entry reader is down.
      ...(h.entryReaders ? { entryReaders: h.entryReaders } : {}),
      modules: Object.fromEntries(Object.entries(modules).map(([name, m]) => [name, { state: m.state }])),
    });
  });
};
