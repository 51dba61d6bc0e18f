/** GET /api/journal: events after a sequence number, a page at a time. */
import type { FastifyPluginAsync } from 'fastify';
import type { Journal } from '../../store/journal.js';
import { ADMINS } from '../auth.js';
import { journalQuery } from '../schemas/door.js';

export const journalRoutes: FastifyPluginAsync<{ journal: Journal }> = async (app, { journal }) => {
  app.get<{ Querystring: { after?: string; limit?: string } }>(
    '/api/journal',
    { config: { access: ADMINS }, schema: { tags: ['journal'], querystring: journalQuery } },
    async (req) => {
      const after = Number(req.query.after ?? 0);
      const limit = Math.min(Math.max(Number(req.query.limit ?? 100), 1), 1000);
      const events = journal.read(after, limit);
      const last = events[events.length - 1];
      return { events, next: last ? last.seq : after, head: journal.seq };
    },
  );
};
