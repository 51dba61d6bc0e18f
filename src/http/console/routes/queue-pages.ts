/**
 * The desk queue: today's and upcoming open visits by state with the SOP timers, searched by
 * name, organisation, letter, ticket or request number. Filters in memory over visits.list().
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Visit } from '../../../domain/types.js';
import { ADMINS } from '../../auth.js';
import type { ConsoleKit } from '../context.js';
import { QUEUE_STATES, type QueueRow, queuePage } from '../pages/queue.js';
import { paths } from '../paths.js';
import { sendPage } from './send.js';
import { dayStart, siteDate } from './site-day.js';

/** Case-insensitive match of a search text against what the desk searches by. */
export function matchesSearch(v: Visit, q: string): boolean {
  if (!q) return true;
  const needle = q.toLocaleLowerCase('id');
  return [v.id, v.visitor.name, v.visitor.organisation, v.letterNumber, v.ticketRef ?? '', v.purpose].some(
    (s) => s.toLocaleLowerCase('id').includes(needle),
  );
}

const ALWAYS_SHOWN = new Set(['in_progress', 'checked_out', 'badge_issued']);

export const queuePages: FastifyPluginAsync<ConsoleKit> = async (app, kit) => {
  const { visits, config, clock } = kit.deps;
  const sla = {
    submitToVerifyMinutes: config.procedure.slaSubmitToVerifyMinutes,
    verifyToDecisionMinutes: config.procedure.slaVerifyToDecisionMinutes,
  };

  app.get(paths.queue, { config: { access: ADMINS } }, async (req, reply) => {
    const raw = (req.query as Record<string, unknown>)['q'];
    const q = typeof raw === 'string' ? raw.trim().slice(0, 100) : '';
    const today = dayStart(siteDate(clock(), kit.timeZone), kit.timeZone) ?? clock().toISOString();
    const rows: QueueRow[] = visits
      .list()
      .filter((v) => QUEUE_STATES.includes(v.state))
      .filter((v) => ALWAYS_SHOWN.has(v.state) || v.window.end >= today)
      .filter((v) => matchesSearch(v, q))
      .sort((a, b) => a.window.start.localeCompare(b.window.start))
      .map((v) => ({
        id: v.id,
        state: v.state,
        visitorName: v.visitor.name,
        organisation: v.visitor.organisation,
        purpose: v.purpose,
        window: v.window,
        submittedAt: v.createdAt,
        verifiedAt: v.verification?.at ?? null,
      }));
    return sendPage(reply, queuePage(kit.ctx(req, reply), { rows, query: q, sla }));
  });
};
