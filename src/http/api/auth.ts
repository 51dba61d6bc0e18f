/** Sign-in, sign-out, who am I, and the first-start setup that creates the first superadmin. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { User } from '../../domain/types.js';
import { publicUser, type UserService } from '../../services/user-service.js';
import { actorOf, isTls, sessionCookie } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { loginBody, setupBody } from '../schemas/users.js';
import type { Sessions } from '../sessions.js';

export interface AuthRoutesOptions {
  users: UserService;
  sessions: Sessions;
  setup: AppDeps['setup'];
  sessionTtlMinutes: number;
}

/**
 * Per source address, on top of the per-account lock-out (services/login-throttle.ts): sign-in
 * (API and console) and the first-start setup. Routes name it in `config.rateLimit`.
 */
export const LOGIN_RATE_LIMIT = { max: 30, timeWindow: '1 minute' } as const;

export interface SetupInput {
  token: string;
  username: string;
  displayName: string;
  password: string;
  escort: boolean;
}

/**
 * First start: the token printed on the console creates the first superadmin, once. Shared by
 * POST /api/setup and the console's setup form.
 */
export async function firstSetup(
  users: UserService,
  setup: AppDeps['setup'],
  input: SetupInput,
): Promise<User> {
  const expected = setup.token;
  if (!expected || users.hasAnyUser()) throw new AppError('setup_closed');
  const a = Buffer.from(input.token);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AppError('setup_token_invalid');
  setup.token = null;
  try {
    return await users.create(
      {
        username: input.username,
        displayName: input.displayName,
        role: 'superadmin',
        escort: input.escort,
        password: input.password,
      },
      { id: 'setup', role: 'superadmin', name: 'first-start setup' },
    );
  } catch (err) {
    setup.token = expected;
    throw err;
  }
}

export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, opts) => {
  const { users, sessions, setup } = opts;
  const tags = ['auth'];

  app.post<{ Body: { username: string; password: string } }>(
    '/api/auth/login',
    { config: { access: 'public', rateLimit: LOGIN_RATE_LIMIT }, schema: { tags, body: loginBody } },
    async (req, reply) => {
      const user = await users.authenticate(req.body.username, req.body.password, req.ip);
      const token = sessions.create(user.id);
      void reply.header('set-cookie', sessionCookie(token, opts.sessionTtlMinutes * 60, isTls(req)));
      return { token, user: publicUser(user) };
    },
  );

  app.post(
    '/api/auth/logout',
    { config: { access: 'authenticated' }, schema: { tags } },
    async (req, reply) => {
      if (req.sessionToken) sessions.revoke(req.sessionToken);
      void reply.header('set-cookie', sessionCookie('', 0, isTls(req)));
      return { ok: true };
    },
  );

  app.get('/api/auth/me', { config: { access: 'authenticated' }, schema: { tags } }, async (req) => {
    return { user: publicUser(users.get(actorOf(req).id)) };
  });

  /** First start: the token printed on the console creates the first superadmin, once. */
  app.post<{ Body: SetupInput }>(
    '/api/setup',
    { config: { access: 'public', rateLimit: LOGIN_RATE_LIMIT }, schema: { tags, body: setupBody } },
    async (req, reply) => {
      const user = await firstSetup(users, setup, req.body);
      return reply.status(201).send({ user: publicUser(user) });
    },
  );
};
