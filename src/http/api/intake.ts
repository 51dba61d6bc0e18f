/**
 * POST /api/intake: the helpdesk website's requests (SOP 1). Signed, not signed in: the body's
 * HMAC is checked in this plugin's own JSON parser, over the raw bytes and before any validation,
 * so an unsigned caller learns nothing about the schema. Rate-limited inside this plugin only.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../domain/errors.js';
import {
  type IntakeInput,
  type IntakeService,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from '../../services/intake-service.js';
import { submitBody } from '../schemas/visits.js';

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

const intakeBody = {
  ...submitBody,
  required: [...submitBody.required, 'ticketRef'],
  properties: { ...submitBody.properties, ticketRef: { type: 'string', minLength: 1, maxLength: 80 } },
} as const;

const visitRef = {
  type: 'object',
  properties: {
    created: { type: 'boolean' },
    visit: {
      type: 'object',
      properties: { id: { type: 'string' }, state: { type: 'string' }, ticketRef: { type: 'string' } },
    },
  },
} as const;

export const intakeRoutes: FastifyPluginAsync<{ intake: IntakeService; maxPerMinute: number }> = async (
  app,
  { intake, maxPerMinute },
) => {
  await app.register(rateLimit, {
    max: maxPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_req, ctx) =>
      new AppError('rate_limited', { retryAfterSeconds: Math.ceil(ctx.ttl / 1000) }),
  });

  // The signature covers the bytes as sent: parse them here, after checking it.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    try {
      intake.verify(
        header(req.headers[TIMESTAMP_HEADER]),
        header(req.headers[SIGNATURE_HEADER]),
        body as Buffer,
      );
    } catch (err) {
      done(err as Error, undefined);
      return;
    }
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')));
    } catch {
      done(new AppError('malformed_json'), undefined);
    }
  });

  app.post<{ Body: IntakeInput }>(
    '/api/intake',
    {
      config: { access: 'public' },
      // Disabled: refused before the body is read.
      onRequest: async () => {
        if (!intake.enabled) throw new AppError('intake_disabled');
      },
      schema: {
        tags: ['intake'],
        summary: 'A request from the helpdesk website (SOP 1), signed with HMAC-SHA256',
        description: `Headers: \`${TIMESTAMP_HEADER}\` (unix seconds, within intake.maxSkewSeconds of the clock) and \`${SIGNATURE_HEADER}: sha256=<hex>\`, the HMAC-SHA256 under intake.secret of \`timestamp + "." + rawBody\`. Idempotent by ticketRef: the same ticket with the same body again answers 200 with the visit already made; with a different body 409 intake_conflict. Submitted by the system actor "helpdesk".`,
        security: [],
        headers: {
          type: 'object',
          required: [TIMESTAMP_HEADER, SIGNATURE_HEADER],
          properties: {
            [TIMESTAMP_HEADER]: { type: 'string' },
            [SIGNATURE_HEADER]: { type: 'string', pattern: '^sha256=[0-9a-f]{64}$' },
          },
        },
        body: intakeBody,
        response: {
          200: { description: 'Already received: the existing visit', ...visitRef },
          201: { description: 'Submitted', ...visitRef },
          401: {
            description: 'intake_signature_invalid or intake_stale',
            type: 'object',
            additionalProperties: true,
          },
          404: { description: 'intake_disabled', type: 'object', additionalProperties: true },
          409: { description: 'intake_conflict', type: 'object', additionalProperties: true },
          429: { description: 'rate_limited', type: 'object', additionalProperties: true },
        },
      },
    },
    async (req, reply) => {
      const r = await intake.receive(req.body);
      return reply.status(r.created ? 201 : 200).send({
        created: r.created,
        visit: { id: r.visit.id, state: r.visit.state, ticketRef: r.visit.ticketRef },
      });
    },
  );
};
