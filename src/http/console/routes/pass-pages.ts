/**
 * The print page of a visit's QR pass (`/console/visits/:id/pass`): shows the visit's current
 * pass, or issues one on a POST (a GET never changes anything). The image itself is the pass
 * API's PNG route, behind the same auth hook.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ADMINS, actorOf } from '../../auth.js';
import { idParams } from '../../schemas/shared.js';
import { passLinks } from '../../views/pass.js';
import type { ConsoleKit } from '../context.js';
import { passPrintPage } from '../pages/pass-print.js';
import { paths } from '../paths.js';
import { sendPage } from './send.js';

type Params = { Params: { id: string } };

export const passPages: FastifyPluginAsync<ConsoleKit> = async (app, kit) => {
  const { visits, passes, clock } = kit.deps;
  const running = () => (passes?.health().state === 'ok' ? passes : null);
  const schema = { params: idParams };

  app.get<Params>('/console/visits/:id/pass', { config: { access: ADMINS }, schema }, async (req, reply) => {
    const v = visits.get(req.params.id);
    const svc = running();
    const now = clock().toISOString();
    const current = svc
      ?.list({ visitId: v.id })
      .filter((p) => !p.revoked && p.expiresAt > now)
      .sort((a, b) => b.issuedAt.localeCompare(a.issuedAt))[0];
    const page = passPrintPage(kit.ctx(req, reply), {
      visitId: v.id,
      holder: { name: v.visitor.name, organisation: v.visitor.organisation },
      pass: current
        ? {
            id: current.id,
            notBefore: current.notBefore,
            expiresAt: current.expiresAt,
            imageUrl: passLinks(current.id).png,
          }
        : null,
      unavailable: !svc,
    });
    return sendPage(reply, page);
  });

  app.post<Params>('/console/visits/:id/pass', { config: { access: ADMINS }, schema }, async (req, reply) => {
    const svc = running();
    if (svc) await svc.issue(req.params.id, {}, actorOf(req));
    return reply.redirect(`${paths.visit(req.params.id)}/pass`, 303);
  });
};
