/** GET /api/reports/sla: the procedure's service levels (submit→verify, verify→decision). */
import type { FastifyPluginAsync } from 'fastify';
import type { VisitService } from '../../services/visit-service.js';
import { ADMINS } from '../auth.js';
import { slaQuery } from '../schemas/visits.js';

export const reportRoutes: FastifyPluginAsync<{ visits: VisitService }> = async (app, { visits }) => {
  app.get<{ Querystring: { archive?: string } }>(
    '/api/reports/sla',
    { config: { access: ADMINS }, schema: { tags: ['reports'], querystring: slaQuery } },
    async (req) => visits.sla(req.query.archive === 'true'),
  );
};
