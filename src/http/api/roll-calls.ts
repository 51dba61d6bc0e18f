/** The emergency roll call over HTTP: open one, see the current one, mark people safe, close it with a report. */
import type { FastifyPluginAsync } from 'fastify';
import type { RollCall } from '../../domain/roll-call.js';
import type { RollCallService } from '../../services/roll-call-service.js';
import { ADMINS, actorOf } from '../auth.js';
import { idParams, str } from '../schemas/shared.js';

const ids = { type: 'array', maxItems: 200, uniqueItems: true, items: str(64) } as const;
const markBody = {
  type: 'object',
  additionalProperties: false,
  required: ['safe'],
  properties: { badgeIds: ids, visitIds: ids, safe: { type: 'boolean' } },
} as const;

/** Counts next to the list, so a dashboard need not add them up. */
const view = (rc: RollCall | null) =>
  rc && {
    ...rc,
    total: rc.people.length,
    safe: rc.people.filter((p) => p.safe).length,
    open: rc.closedAt === null,
  };

export const rollCallRoutes: FastifyPluginAsync<{ rollCalls: RollCallService }> = async (
  app,
  { rollCalls },
) => {
  const tags = ['roll-call'];
  const config = { access: ADMINS };
  type Id = { Params: { id: string } };

  app.post(
    '/api/roll-calls',
    {
      config,
      schema: {
        tags,
        description:
          'Opens a roll call: everyone the door counts inside and every visitor whose KTP is still held. One opens by itself when the door goes to emergency_release.',
      },
    },
    async (req, reply) => reply.status(201).send({ rollCall: view(await rollCalls.open(actorOf(req))) }),
  );

  app.get(
    '/api/roll-calls/current',
    {
      config,
      schema: { tags, description: 'The open roll call, else the last one closed since start, else null.' },
    },
    async () => ({ rollCall: view(rollCalls.get()) }),
  );

  app.post<Id & { Body: { badgeIds?: string[]; visitIds?: string[]; safe: boolean } }>(
    '/api/roll-calls/:id/mark',
    {
      config,
      schema: {
        tags,
        description: 'Marks people safe (or not) by badge id and/or visit id, several at once.',
        params: idParams,
        body: markBody,
      },
    },
    async (req) => ({
      rollCall: view(await rollCalls.mark(req.params.id, req.body, req.body.safe, actorOf(req))),
    }),
  );

  app.post<Id>(
    '/api/roll-calls/:id/close',
    {
      config,
      schema: {
        tags,
        description:
          'Closes the roll call; rollcall.closed in the journal holds the counts and who is unaccounted for.',
        params: idParams,
      },
    },
    async (req) => ({ rollCall: view(await rollCalls.close(req.params.id, actorOf(req))) }),
  );
};
