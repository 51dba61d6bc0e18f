/**
 * QR passes: issue one for a visit, print it (PNG or SVG), revoke it, list them, export the public
 * key a verifier needs. A rendered pass is a bearer credential: never cached. URLs carry only
 * pass and visit ids, never personal data.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { type PassRecord, type PassService, publicPass } from '../../services/pass-service.js';
import { ADMINS, type AppDeps, actorOf } from '../app.js';

const passId = { type: 'string', pattern: '^pas_[0-9a-f]{16}$' } as const;
const passParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: passId },
} as const;
const visitParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;
const isoDate = { type: 'string', format: 'date-time', maxLength: 40 } as const;
const issueBody = {
  type: 'object',
  additionalProperties: false,
  properties: { notBefore: isoDate, expiresAt: isoDate },
} as const;
const revokeBody = {
  type: 'object',
  additionalProperties: false,
  properties: { reason: { type: ['string', 'null'], maxLength: 500 } },
} as const;

export function registerPassRoutes(app: FastifyInstance, deps: AppDeps): void {
  const tags = ['passes'];
  const svc = (): PassService => {
    const p = deps.passes;
    if (p?.health().state === 'ok') return p;
    throw new AppError('internal', { module: 'passes', rule: 'pass service not running' });
  };

  app.post<{ Params: { id: string }; Body: { notBefore?: string; expiresAt?: string } | undefined }>(
    '/api/visits/:id/passes',
    { config: { access: ADMINS }, schema: { tags, params: visitParams, body: issueBody } },
    async (req, reply) => {
      const pass = await svc().issue(req.params.id, req.body ?? {}, actorOf(req));
      return reply.status(201).send({ pass: publicPass(pass) });
    },
  );

  app.get<{ Querystring: { visitId?: string } }>(
    '/api/passes',
    {
      config: { access: ADMINS },
      schema: {
        tags,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            visitId: { type: 'string', minLength: 1, maxLength: 64 },
            lang: { type: 'string', enum: ['id', 'en'] },
          },
        },
      },
    },
    async (req) => ({ passes: svc().list({ visitId: req.query.visitId }).map(publicPass) }),
  );

  app.get('/api/passes/public-key', { config: { access: 'authenticated' }, schema: { tags } }, async () => ({
    publicKey: svc().publicKey(),
  }));

  const headers = (reply: FastifyReply, pass: PassRecord, holder: string, ext: string) =>
    reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `inline; filename="${pass.id}.${ext}"`)
      .header('x-pass-id', pass.id)
      .header('x-pass-visit', pass.visitId)
      .header('x-pass-not-before', pass.notBefore)
      .header('x-pass-expires', pass.expiresAt)
      // Header values are Latin-1: the name goes percent-encoded UTF-8 (RFC 8187 style).
      .header('x-pass-holder', encodeURIComponent(holder));

  app.get<{ Params: { id: string } }>(
    '/api/passes/:id.png',
    { config: { access: ADMINS }, schema: { tags, params: passParams } },
    async (req, reply) => {
      const r = await svc().render(req.params.id, 'png');
      return headers(reply, r.pass, r.holder, 'png').type('image/png').send(r.body);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/passes/:id.svg',
    { config: { access: ADMINS }, schema: { tags, params: passParams } },
    async (req, reply) => {
      const r = await svc().render(req.params.id, 'svg');
      return headers(reply, r.pass, r.holder, 'svg').type('image/svg+xml; charset=utf-8').send(r.body);
    },
  );

  app.post<{ Params: { id: string }; Body: { reason?: string | null } | undefined }>(
    '/api/passes/:id/revoke',
    { config: { access: ADMINS }, schema: { tags, params: passParams, body: revokeBody } },
    async (req) => ({
      pass: publicPass(await svc().revoke(req.params.id, req.body?.reason, actorOf(req))),
    }),
  );
}
