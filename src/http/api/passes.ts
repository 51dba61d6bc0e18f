/**
 * QR passes: issue one for a visit, print it (PNG or SVG), revoke it, list them, export the public
 * key a verifier needs. A rendered pass is a bearer credential: never cached. URLs carry only
 * pass and visit ids, never personal data.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { PassService, PrintablePass } from '../../services/pass-service.js';
import { ADMINS, actorOf } from '../auth.js';
import { issuePassBody, listPassesQuery, passParams, revokePassBody } from '../schemas/passes.js';
import { idParams } from '../schemas/shared.js';
import { publicPass } from '../views/pass.js';
import { renderPass } from '../views/pass-image.js';

export const passRoutes: FastifyPluginAsync<{ passes: PassService | null | undefined }> = async (
  app,
  { passes },
) => {
  const tags = ['passes'];
  const svc = (): PassService => {
    if (passes?.health().state === 'ok') return passes;
    throw new AppError('internal', { module: 'passes', rule: 'pass service not running' });
  };

  app.post<{ Params: { id: string }; Body: { notBefore?: string; expiresAt?: string } | undefined }>(
    '/api/visits/:id/passes',
    { config: { access: ADMINS }, schema: { tags, params: idParams, body: issuePassBody } },
    async (req, reply) => {
      const pass = await svc().issue(req.params.id, req.body ?? {}, actorOf(req));
      return reply.status(201).send({ pass: publicPass(pass) });
    },
  );

  app.get<{ Querystring: { visitId?: string } }>(
    '/api/passes',
    { config: { access: ADMINS }, schema: { tags, querystring: listPassesQuery } },
    async (req) => ({ passes: svc().list({ visitId: req.query.visitId }).map(publicPass) }),
  );

  app.get('/api/passes/public-key', { config: { access: 'authenticated' }, schema: { tags } }, async () => ({
    publicKey: svc().publicKey(),
  }));

  const headers = (reply: FastifyReply, { pass, holder }: PrintablePass, ext: string) =>
    reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `inline; filename="${pass.id}.${ext}"`)
      .header('x-pass-id', pass.id)
      .header('x-pass-visit', pass.visitId)
      .header('x-pass-not-before', pass.notBefore)
      .header('x-pass-expires', pass.expiresAt)
      // Header values are Latin-1: the name goes percent-encoded UTF-8 (RFC 8187 style).
      .header('x-pass-holder', encodeURIComponent(holder?.name ?? ''));

  app.get<{ Params: { id: string } }>(
    '/api/passes/:id.png',
    { config: { access: ADMINS }, schema: { tags, params: passParams } },
    async (req, reply) => {
      const p = svc().printable(req.params.id);
      const body = await renderPass(p, 'png');
      return headers(reply, p, 'png').type('image/png').send(body);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/passes/:id.svg',
    { config: { access: ADMINS }, schema: { tags, params: passParams } },
    async (req, reply) => {
      const p = svc().printable(req.params.id);
      const body = await renderPass(p, 'svg');
      return headers(reply, p, 'svg').type('image/svg+xml; charset=utf-8').send(body);
    },
  );

  app.post<{ Params: { id: string }; Body: { reason?: string | null } | undefined }>(
    '/api/passes/:id/revoke',
    { config: { access: ADMINS }, schema: { tags, params: passParams, body: revokePassBody } },
    async (req) => ({
      pass: publicPass(await svc().revoke(req.params.id, req.body?.reason, actorOf(req))),
    }),
  );
};
