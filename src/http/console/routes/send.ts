/** Small helpers the console's route modules share: send a page, turn an AppError into a flash. */
import type { FastifyReply } from 'fastify';
import { AppError, ERRORS } from '../../../domain/errors.js';
import type { Html } from '../html.js';
import type { Flash, PageContext } from '../layout.js';

export function sendPage(reply: FastifyReply, page: Html, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(page.toString());
}

/** The catalogued message of a refused step, as a flash in the page's language. */
export function errorFlash(ctx: Pick<PageContext, 'lang'>, err: AppError): Flash {
  return { kind: 'error', text: ctx.lang === 'en' ? ERRORS[err.code].en : ERRORS[err.code].id };
}

/** Runs a service call; an AppError comes back as a value (the form re-renders), others throw. */
export async function attempt<T>(
  fn: () => Promise<T> | T,
): Promise<{ ok: true; value: T } | { ok: false; error: AppError }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, error: err };
    throw err;
  }
}

/** The posted form (formbody); an empty object when there is none. */
export function formOf(body: unknown): Readonly<Record<string, string | string[] | undefined>> {
  return body && typeof body === 'object' ? (body as Record<string, string | string[] | undefined>) : {};
}
