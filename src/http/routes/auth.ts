import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { publicUser } from '../../services/user-service.js';
import { type AppDeps, actorOf, SESSION_COOKIE } from '../app.js';
import { loginBody, setupBody } from '../schemas.js';
import type { Sessions } from '../sessions.js';

export function registerAuthRoutes(app: FastifyInstance, deps: AppDeps, sessions: Sessions): void {
  const cookie = (token: string, maxAge: number) =>
    `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}`;

  app.post<{ Body: { username: string; password: string } }>(
    '/api/auth/login',
    { config: { access: 'public' }, schema: { tags: ['auth'], body: loginBody } },
    async (req, reply) => {
      const user = await deps.users.authenticate(req.body.username, req.body.password);
      const token = sessions.create(user.id);
      void reply.header('set-cookie', cookie(token, deps.config.http.sessionTtlMinutes * 60));
      return { token, user: publicUser(user) };
    },
  );

  app.post(
    '/api/auth/logout',
    { config: { access: 'authenticated' }, schema: { tags: ['auth'] } },
    async (req, reply) => {
      if (req.sessionToken) sessions.revoke(req.sessionToken);
      void reply.header('set-cookie', cookie('', 0));
      return { ok: true };
    },
  );

  app.get(
    '/api/auth/me',
    { config: { access: 'authenticated' }, schema: { tags: ['auth'] } },
    async (req) => {
      return { user: publicUser(deps.users.get(actorOf(req).id)) };
    },
  );

  /** First start: the token printed on the console creates the first superadmin, once. */
  app.post<{
    Body: { token: string; username: string; displayName: string; password: string; escort: boolean };
  }>(
    '/api/setup',
    { config: { access: 'public' }, schema: { tags: ['auth'], body: setupBody } },
    async (req, reply) => {
      const expected = deps.setup.token;
      if (!expected || deps.users.hasAnyUser()) throw new AppError('setup_closed');
      const a = Buffer.from(req.body.token);
      const b = Buffer.from(expected);
      if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AppError('setup_token_invalid');
      deps.setup.token = null;
      try {
        const user = await deps.users.create(
          {
            username: req.body.username,
            displayName: req.body.displayName,
            role: 'superadmin',
            escort: req.body.escort,
            password: req.body.password,
          },
          { id: 'setup', role: 'superadmin', name: 'first-start setup' },
        );
        return reply.status(201).send({ user: publicUser(user) });
      } catch (err) {
        deps.setup.token = expected;
        throw err;
      }
    },
  );
}
