/** Users: admins list them (to pick escorts); only a superadmin creates or changes one. */
import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../../domain/types.js';
import { publicUser, type UserService } from '../../services/user-service.js';
import { ADMINS, actorOf, SUPERADMIN } from '../auth.js';
import { idParams } from '../schemas/shared.js';
import { newUserBody, patchUserBody } from '../schemas/users.js';
import type { Sessions } from '../sessions.js';

export const userRoutes: FastifyPluginAsync<{ users: UserService; sessions: Sessions }> = async (
  app,
  { users, sessions },
) => {
  const tags = ['users'];

  app.get('/api/users', { config: { access: ADMINS }, schema: { tags } }, async () => ({
    users: users.list().map(publicUser),
  }));

  app.post<{
    Body: { username: string; displayName: string; role: Role; escort: boolean; password: string };
  }>(
    '/api/users',
    { config: { access: SUPERADMIN }, schema: { tags, body: newUserBody } },
    async (req, reply) =>
      reply.status(201).send({ user: publicUser(await users.create(req.body, actorOf(req))) }),
  );

  app.patch<{
    Params: { id: string };
    Body: { displayName?: string; role?: Role; escort?: boolean; active?: boolean; password?: string };
  }>(
    '/api/users/:id',
    { config: { access: SUPERADMIN }, schema: { tags, params: idParams, body: patchUserBody } },
    async (req) => {
      const user = await users.update(req.params.id, req.body, actorOf(req));
      // A deactivated user, or one whose password changed, is signed out everywhere.
      if (req.body.active === false || req.body.password !== undefined) sessions.revokeUser(user.id);
      return { user: publicUser(user) };
    },
  );
};
