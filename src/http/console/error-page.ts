/**
 * The console's error handler: whatever a console route throws becomes the same catalogued error
 * as in the JSON API (toAppError), shown as a page in the viewer's language. A signed-out viewer
 * asking for a page is sent to sign-in (and back afterwards); forms that re-render with errors
 * beside their fields catch their AppErrors themselves (see form-errors.ts).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type AppError, ERRORS } from '../../domain/errors.js';
import { toAppError } from '../error-handler.js';
import type { ConsoleKit } from './context.js';
import { html } from './html.js';
import { t } from './i18n/index.js';
import { layout } from './layout.js';
import { paths, withQuery } from './paths.js';

/** A console path to come back to after signing in; anything else is dropped. */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== 'string') return undefined;
  return /^\/console\/[A-Za-z0-9/_.-]*(\?[A-Za-z0-9=&_.%-]*)?$/.test(next) && !next.includes('//')
    ? next
    : undefined;
}

export function errorPage(kit: ConsoleKit, req: FastifyRequest, reply: FastifyReply, err: AppError): string {
  const ctx = kit.ctx(req, reply);
  const m = t(ctx.lang);
  const message = ctx.lang === 'en' ? ERRORS[err.code].en : ERRORS[err.code].id;
  const body = html`<div class="notice" role="alert"><p>${message}</p><p class="hint">${m.errorPage.code(err.code)}</p></div>
<p>${
    err.code === 'unauthenticated'
      ? html`<a href="${paths.signIn}">${m.errorPage.signIn}</a>`
      : html`<a href="${ctx.role ? paths.queue : '/'}">${m.errorPage.back}</a>`
  }</p>`;
  return layout(ctx, { title: m.errorPage.title, body }).toString();
}

export function consoleErrorHandler(kit: ConsoleKit, opts: { bodyLimitBytes: number }) {
  return (err: FastifyError | AppError, req: FastifyRequest, reply: FastifyReply): void => {
    const appErr = toAppError(err, req, opts);
    if (appErr.code === 'unauthenticated' && req.method === 'GET') {
      const next = safeNext(req.url);
      void reply.redirect(next ? withQuery(paths.signIn, { next }) : paths.signIn, 302);
      return;
    }
    const retry = appErr.details?.['retryAfterSeconds'];
    if (appErr.code === 'rate_limited' && typeof retry === 'number') {
      void reply.header('retry-after', String(retry));
    }
    void reply
      .status(appErr.status)
      .type('text/html; charset=utf-8')
      .send(errorPage(kit, req, reply, appErr));
  };
}
