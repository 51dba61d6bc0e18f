/** The procedure's steps over HTTP: submit, verify, approve/reject, issue badge, check out, close, cancel. */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Role, Visit } from '../../domain/types.js';
import type { CheckOutInput, SubmitInput, VerifyInput } from '../../domain/visit-lifecycle.js';
import type { VisitQuery } from '../../services/visit-register.js';
import type { VisitService } from '../../services/visit-service.js';
import { ADMINS, actorOf, SUPERADMIN } from '../auth.js';
import { idParams, reasonBody } from '../schemas/shared.js';
import {
  checkOutBody,
  issueBadgeBody,
  listVisitsQuery,
  noteBody,
  submitBody,
  verifyBody,
} from '../schemas/visits.js';
import { publicVisit } from '../views/visit.js';

type Id = { Params: { id: string } };
type ListQuery = { state?: string; from?: string; to?: string; q?: string; limit?: string; offset?: string };

const toQuery = (q: ListQuery): VisitQuery => ({
  state: q.state,
  from: q.from,
  to: q.to,
  q: q.q,
  ...(q.limit ? { limit: Number(q.limit) } : {}),
  ...(q.offset ? { offset: Number(q.offset) } : {}),
});

export const visitRoutes: FastifyPluginAsync<{ visits: VisitService }> = async (app, { visits: v }) => {
  const tags = ['visits'];
  const admins = { access: ADMINS };

  app.get<{ Querystring: ListQuery }>(
    '/api/visits',
    {
      config: admins,
      schema: {
        tags,
        description:
          'Visits, newest request first. `from`/`to` filter on the visit window’s start (a YYYY-MM-DD is a day in Asia/Jakarta; `to` covers that whole day); `q` searches name, organisation, letter number and ticket; `total` counts every match.',
        querystring: listVisitsQuery,
      },
    },
    async (req) => {
      const page = v.search(toQuery(req.query));
      const role = actorOf(req).role;
      return {
        visits: page.items.map((x) => publicVisit(x, role)),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
      };
    },
  );

  app.get<{ Querystring: ListQuery }>(
    '/api/visits/register',
    {
      config: admins,
      schema: {
        tags,
        description:
          'The visitor register (buku register): one row per visit, latest visit first, with who verified, approved and escorted, door entry/exit times and devices. Same filters as GET /api/visits. No NIK or phone.',
        querystring: listVisitsQuery,
      },
    },
    async (req) => {
      const page = v.register(toQuery(req.query));
      return { rows: page.items, total: page.total, limit: page.limit, offset: page.offset };
    },
  );

  app.get<Id>('/api/visits/:id', { config: admins, schema: { tags, params: idParams } }, async (req) => ({
    visit: publicVisit(v.get(req.params.id), actorOf(req).role),
  }));

  app.get<Id>(
    '/api/visits/:id/personal',
    { config: admins, schema: { tags, params: idParams } },
    async (req, reply) => {
      void reply.header('cache-control', 'no-store');
      return v.revealPersonal(req.params.id, actorOf(req));
    },
  );

  app.post<{ Body: SubmitInput }>(
    '/api/visits',
    { config: admins, schema: { tags, body: submitBody } },
    async (req, reply) => {
      const visit = await v.submit(req.body, actorOf(req));
      return reply.status(201).send({ visit: publicVisit(visit, actorOf(req).role) });
    },
  );

  /** One procedure step on one visit: the visit as it is after the step. */
  const step = <B>(
    path: string,
    access: readonly Role[],
    body: object,
    run: (id: string, b: B, req: FastifyRequest) => Promise<Visit>,
  ) =>
    app.post<Id & { Body: B }>(
      path,
      { config: { access }, schema: { tags, params: idParams, body } },
      async (req) => ({
        visit: publicVisit(await run(req.params.id, req.body as B, req), actorOf(req).role),
      }),
    );

  step<VerifyInput>('/api/visits/:id/verify', ADMINS, verifyBody, (id, b, req) =>
    v.verify(id, b, actorOf(req)),
  );
  step<{ reason?: string | null }>('/api/visits/:id/approve', SUPERADMIN, reasonBody(false), (id, b, req) =>
    v.decide(id, true, b.reason, actorOf(req)),
  );
  step<{ reason: string }>('/api/visits/:id/reject', SUPERADMIN, reasonBody(true), (id, b, req) =>
    v.decide(id, false, b.reason, actorOf(req)),
  );
  step<{ badgeId: string; escortIds: string[] }>(
    '/api/visits/:id/issue-badge',
    ADMINS,
    issueBadgeBody,
    (id, b, req) => v.issueBadge(id, b, actorOf(req)),
  );
  step<CheckOutInput & { confirmLeftRoom?: boolean }>(
    '/api/visits/:id/check-out',
    ADMINS,
    checkOutBody,
    (id, b, req) => v.checkOut(id, b, actorOf(req)),
  );
  step<{ note?: string | null }>('/api/visits/:id/close', ADMINS, noteBody, (id, b, req) =>
    v.close(id, b.note, actorOf(req)),
  );
  step<{ reason: string }>('/api/visits/:id/cancel', ADMINS, reasonBody(true), (id, b, req) =>
    v.cancel(id, b.reason, actorOf(req)),
  );
};
