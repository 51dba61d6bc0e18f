/**
 * SOP step 1: the public request form (`/request`, `/console/request`). A visitor posts it as the
 * system actor "formulir publik"; staff signed in enter a walk-in with the same form as
 * themselves. Validation is the page module's (same rules as the JSON schema and the domain);
 * the visit service takes the step. Rate-limited per address for visitors.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AppError } from '../../../domain/errors.js';
import type { Actor } from '../../../domain/types.js';
import type { ConsoleKit } from '../context.js';
import type { FieldErrors } from '../fields.js';
import { t } from '../i18n/index.js';
import {
  readRequestForm,
  requestFormPage,
  requestSuccessPage,
  validateRequestForm,
} from '../pages/request-form.js';
import { paths, withQuery } from '../paths.js';
import { attempt, errorFlash, formOf, sendPage } from './send.js';

export const PUBLIC_FORM_ACTOR: Actor = { id: 'public-form', role: 'system', name: 'formulir publik' };

/** Visitors' posts per address and window; staff (a walk-in at the desk) are not counted down. */
export const PUBLIC_FORM_RATE_LIMIT = {
  max: (req: { actor: Actor | null }) => (req.actor ? 1000 : 20),
  timeWindow: '10 minutes',
} as const;

const REQUEST_NUMBER = /^KNJ-\d{8}-[0-9A-F]{6}$/;

/** Where a refused submit points: the field the domain's error is about. */
function fieldOf(err: AppError): string | null {
  if (err.code === 'nik_invalid') return 'nik';
  if (err.code === 'window_invalid') return 'windowEnd';
  return null;
}

export const requestPages: FastifyPluginAsync<ConsoleKit> = async (app, kit) => {
  const { visits } = kit.deps;

  for (const path of ['/request', paths.request]) {
    app.get(path, { config: { access: 'public' } }, async (req, reply) =>
      sendPage(reply, requestFormPage(kit.ctx(req, reply))),
    );
  }

  app.post(
    paths.request,
    { config: { access: 'public', rateLimit: PUBLIC_FORM_RATE_LIMIT } },
    async (req, reply) => {
      const ctx = kit.ctx(req, reply);
      const m = t(ctx.lang);
      const { values, action } = readRequestForm(formOf(req.body));
      if (action.kind !== 'submit') return sendPage(reply, requestFormPage(ctx, { values }));
      const checked = validateRequestForm(m, values, kit.timeZone);
      if (!checked.ok) return sendPage(reply, requestFormPage(ctx, { values, errors: checked.errors }), 400);
      const actor = req.actor ?? PUBLIC_FORM_ACTOR;
      const r = await attempt(() => visits.submit(checked.input, actor));
      if (!r.ok) {
        const f = fieldOf(r.error);
        const errors: FieldErrors = f ? { [f]: errorFlash(ctx, r.error).text } : {};
        const page = requestFormPage({ ...ctx, flash: [errorFlash(ctx, r.error)] }, { values, errors });
        return sendPage(reply, page, r.error.status);
      }
      if (req.actor) return reply.redirect(paths.visit(r.value.id), 303);
      return reply.redirect(withQuery(`${paths.request}/done`, { n: r.value.id }), 303);
    },
  );

  app.get(`${paths.request}/done`, { config: { access: 'public' } }, async (req, reply) => {
    const n = (req.query as Record<string, unknown>)['n'];
    if (typeof n !== 'string' || !REQUEST_NUMBER.test(n)) return reply.redirect(paths.request, 303);
    return sendPage(reply, requestSuccessPage(kit.ctx(req, reply), { requestNumber: n }));
  });
};
