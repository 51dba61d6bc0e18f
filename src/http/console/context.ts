/**
 * What the console routes are built from, and the PageContext each request renders with: the
 * language (cookie, `?lang=`, Accept-Language), the viewer from the auth hook, the CSRF token,
 * the path, a flash message named in the query (`?done=<key>`: a catalogue key, never user data),
 * the site time zone and the injected clock's now.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isTls } from '../auth.js';
import type { AppDeps } from '../deps.js';
import type { Sessions } from '../sessions.js';
import type { Csrf } from './csrf.js';
import { type Lang, langFromRequest, type Messages, t } from './i18n/index.js';
import type { Flash, PageContext } from './layout.js';

export type ConsoleDeps = AppDeps & { sessions: Sessions };

/** Shared by every console route module. */
export interface ConsoleKit {
  deps: ConsoleDeps;
  csrf: Csrf;
  timeZone: string;
  /** The PageContext of this request (sets the pre-session CSRF cookie when it must). */
  ctx(req: FastifyRequest, reply: FastifyReply, flash?: readonly Flash[]): PageContext;
}

export type DoneKey = keyof Messages['done'];

export function langOfRequest(req: FastifyRequest): Lang {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  return langFromRequest(
    req.headers.cookie,
    req.headers['accept-language'],
    typeof q === 'string' ? q : undefined,
  );
}

export function makeKit(deps: ConsoleDeps, csrf: Csrf): ConsoleKit {
  const timeZone = deps.config.site.timeZone;
  return {
    deps,
    csrf,
    timeZone,
    ctx(req, reply, flash = []) {
      const lang = langOfRequest(req);
      const actor = req.actor;
      const role = actor && actor.role !== 'system' ? actor.role : null;
      const done = (req.query as Record<string, unknown> | undefined)?.done;
      const m = t(lang);
      const doneFlash: Flash[] =
        typeof done === 'string' && Object.hasOwn(m.done, done)
          ? [{ kind: 'success', text: m.done[done as DoneKey] }]
          : [];
      return {
        lang,
        role,
        csrfToken: csrf.tokenFor(req, reply, isTls(req)),
        path: req.url.split('?')[0] ?? '/',
        user: actor && role ? { displayName: actor.name } : null,
        flash: [...doneFlash, ...flash],
        timeZone,
        now: deps.clock().toISOString(),
      };
    },
  };
}
