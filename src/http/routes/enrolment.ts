/**
 * Badge enrolment by tap: POST starts one (the next card on the enrol reader is bound to it),
 * GET reports its state (waiting, bound, refused with the error code, timed_out, cancelled),
 * DELETE cancels a waiting one. Responses carry the badge's short UID only.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { BadgeKind } from '../../domain/types.js';
import type { EnrolmentService } from '../../services/enrolment-service.js';
import { ADMINS, actorOf } from '../app.js';
import { idParams } from '../schemas.js';

const newEnrolmentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['label', 'kind'],
  properties: {
    label: { type: 'string', minLength: 1, maxLength: 60 },
    kind: { type: 'string', enum: ['staff', 'visitor'] },
    userId: { type: ['string', 'null'], maxLength: 64 },
  },
} as const;

export function registerEnrolmentRoutes(
  app: FastifyInstance,
  enrolments: EnrolmentService | undefined,
): void {
  const service = (): EnrolmentService => {
    if (!enrolments) throw new AppError('precondition_failed', { rule: 'no enrol reader is configured' });
    return enrolments;
  };

  app.post<{ Body: { label: string; kind: BadgeKind; userId?: string | null } }>(
    '/api/enrolments',
    { config: { access: ADMINS }, schema: { tags: ['badges'], body: newEnrolmentBody } },
    async (req, reply) => {
      return reply.status(201).send({ enrolment: service().begin(req.body, actorOf(req)) });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/enrolments/:id',
    { config: { access: ADMINS }, schema: { tags: ['badges'], params: idParams } },
    async (req) => ({ enrolment: service().get(req.params.id) }),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/enrolments/:id',
    { config: { access: ADMINS }, schema: { tags: ['badges'], params: idParams } },
    async (req) => ({ enrolment: service().cancel(req.params.id, actorOf(req)) }),
  );
}
