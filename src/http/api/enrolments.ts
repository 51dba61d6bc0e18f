/**
 * Badge enrolment by tap: POST starts one (the next card on the enrol reader is bound to it),
 * GET reports its state (waiting, bound, refused with the error code, timed_out, cancelled),
 * DELETE cancels a waiting one. Responses carry the badge's short UID only.
 */
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { BadgeKind } from '../../domain/types.js';
import type { EnrolmentService } from '../../services/enrolment-service.js';
import { ADMINS, actorOf } from '../auth.js';
import { newEnrolmentBody } from '../schemas/badges.js';
import { idParams } from '../schemas/shared.js';

export const enrolmentRoutes: FastifyPluginAsync<{ enrolments: EnrolmentService | undefined }> = async (
  app,
  { enrolments },
) => {
  const tags = ['badges'];
  const service = (): EnrolmentService => {
    if (!enrolments) throw new AppError('precondition_failed', { rule: 'no enrol reader is configured' });
    return enrolments;
  };

  app.post<{ Body: { label: string; kind: BadgeKind; userId?: string | null } }>(
    '/api/enrolments',
    { config: { access: ADMINS }, schema: { tags, body: newEnrolmentBody } },
    async (req, reply) => reply.status(201).send({ enrolment: service().begin(req.body, actorOf(req)) }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/enrolments/:id',
    { config: { access: ADMINS }, schema: { tags, params: idParams } },
    async (req) => ({ enrolment: service().get(req.params.id) }),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/enrolments/:id',
    { config: { access: ADMINS }, schema: { tags, params: idParams } },
    async (req) => ({ enrolment: service().cancel(req.params.id, actorOf(req)) }),
  );
};
