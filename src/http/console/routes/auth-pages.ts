/**
 * The start page (sign-in, or the first-run setup while no user exists), sign-in, sign-out and
 * setup. Sign-in and setup go through the same services and rules as the JSON API
 * (users.authenticate with its per-account lock-out, firstSetup) and the same per-address limit.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { firstSetup, LOGIN_RATE_LIMIT } from '../../api/auth.js';
import { isTls, sessionCookie } from '../../auth.js';
import type { ConsoleKit } from '../context.js';
import { field } from '../device-rows.js';
import { safeNext } from '../error-page.js';
import { t } from '../i18n/index.js';
import { setupPage, signInPage } from '../pages/sign-in.js';
import { paths, withQuery } from '../paths.js';
import { attempt, errorFlash, formOf, sendPage } from './send.js';

export const authPages: FastifyPluginAsync<ConsoleKit> = async (app, kit) => {
  const { users, sessions, setup } = kit.deps;
  const maxAge = kit.deps.config.http.sessionTtlMinutes * 60;
  const needsSetup = () => !users.hasAnyUser() && setup.token !== null;

  const start = async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.actor) return reply.redirect(paths.queue, 303);
    const ctx = kit.ctx(req, reply);
    if (needsSetup()) return sendPage(reply, setupPage(ctx));
    const next = safeNext((req.query as Record<string, unknown>)['next']);
    return sendPage(reply, signInPage(ctx, next ? { next } : {}));
  };

  app.get('/', { config: { access: 'public' } }, start);
  app.get(paths.signIn, { config: { access: 'public' } }, start);
  app.get(paths.home, { config: { access: 'public' } }, async (req, reply) =>
    reply.redirect(req.actor ? paths.queue : '/', 303),
  );
  app.get(paths.setup, { config: { access: 'public' } }, async (req, reply) => {
    if (!needsSetup()) return reply.redirect('/', 303);
    return sendPage(reply, setupPage(kit.ctx(req, reply)));
  });

  app.post(
    paths.signIn,
    { config: { access: 'public', rateLimit: LOGIN_RATE_LIMIT } },
    async (req, reply) => {
      const body = formOf(req.body);
      const username = field(body, 'username');
      const next = safeNext(field(body, 'next'));
      const r = await attempt(() => users.authenticate(username, field(body, 'password'), req.ip));
      if (!r.ok) {
        const ctx = kit.ctx(req, reply);
        const page = signInPage(
          { ...ctx, flash: [errorFlash(ctx, r.error)] },
          { username, ...(next ? { next } : {}) },
        );
        return sendPage(reply, page, r.error.status);
      }
      const token = sessions.create(r.value.id);
      void reply.header('set-cookie', sessionCookie(token, maxAge, isTls(req)));
      return reply.redirect(next ?? paths.queue, 303);
    },
  );

  app.post(paths.signOut, { config: { access: 'authenticated' } }, async (req, reply) => {
    if (req.sessionToken) sessions.revoke(req.sessionToken);
    void reply.header('set-cookie', sessionCookie('', 0, isTls(req)));
    return reply.redirect(withQuery('/', { done: 'signedOut' }), 303);
  });

  app.post(paths.setup, { config: { access: 'public', rateLimit: LOGIN_RATE_LIMIT } }, async (req, reply) => {
    const body = formOf(req.body);
    const input = {
      token: field(body, 'token'),
      username: field(body, 'username'),
      displayName: field(body, 'displayName'),
      password: field(body, 'password'),
      escort: field(body, 'escort') === 'true',
    };
    const ctx = kit.ctx(req, reply);
    const m = t(ctx.lang);
    const errors: Record<string, string> = {};
    for (const k of ['token', 'username', 'displayName', 'password'] as const)
      if (!input[k]) errors[k] = m.validation.required;
    if (input.password && input.password.length < 10) errors['password'] = m.setup.passwordHint;
    const view = { username: input.username, displayName: input.displayName, escort: input.escort };
    if (Object.keys(errors).length > 0) return sendPage(reply, setupPage(ctx, { ...view, errors }), 400);
    const r = await attempt(() => firstSetup(users, setup, input));
    if (!r.ok) {
      if (r.error.code === 'setup_closed') throw r.error;
      const fieldErrors: Record<string, string> =
        r.error.code === 'setup_token_invalid'
          ? { token: errorFlash(ctx, r.error).text }
          : r.error.code === 'username_taken'
            ? { username: errorFlash(ctx, r.error).text }
            : {};
      const page = setupPage({ ...ctx, flash: [errorFlash(ctx, r.error)] }, { ...view, errors: fieldErrors });
      return sendPage(reply, page, r.error.status);
    }
    return reply.redirect(withQuery(paths.signIn, { done: 'setupDone' }), 303);
  });
};
