/**
 * The door: its state, its mode (superadmins), a remote unlock, clearing stale occupancy,
 * confirming an untrusted clock (superadmins).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { DoorMode } from '../../domain/types.js';
import type { DoorController } from '../../door/door-controller.js';
import { ADMINS, actorOf, SUPERADMIN } from '../auth.js';
import { clockConfirmBody, modeBody, occupancyClearBody, unlockBody } from '../schemas/door.js';

export const doorRoutes: FastifyPluginAsync<{ door: DoorController }> = async (app, { door }) => {
  const tags = ['door'];

  app.get('/api/door', { config: { access: ADMINS }, schema: { tags } }, async () => ({
    door: door.snapshot(),
    clock: door.clockStatus(),
  }));

  // The wall clock fell behind the journal (alarm.clock_untrusted): a superadmin who checked it
  // says it is right, with a reason; journaled as door.clock_trusted.
  app.post<{ Body: { reason: string | null } }>(
    '/api/door/clock/confirm',
    { config: { access: SUPERADMIN }, schema: { tags, body: clockConfirmBody } },
    async (req) => {
      const a = actorOf(req);
      const caller = { id: a.id, name: a.name, role: a.role, channel: 'http' as const };
      return { clock: door.confirmClock(caller, req.body.reason ?? '') };
    },
  );

  app.post<{ Body: { mode: DoorMode; reason?: string | null } }>(
    '/api/door/mode',
    { config: { access: SUPERADMIN }, schema: { tags, body: modeBody } },
    async (req) => {
      const a = actorOf(req);
      // Built apart so it fits DoorController's caller type as it is and as it is becoming
      // (who, with which role, over which channel).
      const caller = { id: a.id, name: a.name, role: a.role, channel: 'http' as const };
      door.setMode(req.body.mode, caller, req.body.reason ?? undefined);
      return { door: door.snapshot() };
    },
  );

  // Who may unlock remotely is the door rules' (door.remoteUnlockRoles, default superadmin); an admin
  // reaches the rule and is refused there, so the refusal is the same over every channel.
  app.post<{ Body: { reason: string | null } }>(
    '/api/door/unlock',
    { config: { access: ADMINS }, schema: { tags, body: unlockBody } },
    async (req) => {
      const a = actorOf(req);
      const caller = { id: a.id, name: a.name, role: a.role, channel: 'http' as const };
      door.commandUnlock(caller, req.body.reason ?? '');
      return { door: door.snapshot() };
    },
  );

  app.post<{ Body: { badgeId?: string } }>(
    '/api/door/occupancy/clear',
    { config: { access: ADMINS }, schema: { tags, body: occupancyClearBody } },
    async (req) => {
      const a = actorOf(req);
      const gone = door.clearOccupancy({ id: a.id, name: a.name }, req.body.badgeId);
      return { cleared: gone.map((o) => o.badgeId), door: door.snapshot() };
    },
  );
};
