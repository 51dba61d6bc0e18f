/**
 * The door rules: which mode changes and which command unlocks a caller may ask for, per role and
 * channel. Written once here; the door controller, the HTTP route and the MQTT command table all
 * ask these functions, so a door obeys the same rules whichever channel asks. Where channels used
 * to differ, the stricter rule was kept:
 *
 * - While the fire input is active nobody but the fire input takes the door out of emergency
 *   release (fire_alarm_active).
 * - No human channel jumps directly between lockdown and emergency release; it goes through normal
 *   (mode_via_normal). Only the fire input may release from any mode and restore the mode it
 *   interrupted.
 * - Mode changes are the superadmin's (and the system's, on its own channel). The MQTT caller has
 *   role 'operator' until broker-verified identities map to roles (issue #11): it may lock the door
 *   down from normal and nothing else (forbidden) — HTTP had always kept leaving lockdown and
 *   emergency release to the superadmin.
 * - Command unlock: only the roles in door.remoteUnlockRoles (default superadmin), with a reason
 *   over HTTP and the console; in lockdown only a superadmin (door_in_lockdown); in emergency
 *   release the door is already held open, so an unlock is a no-op success.
 * - A mode change the journal cannot hold is refused, except the release the fire input forces.
 *
 * Pure: no I/O, no clock.
 */
import type { ErrorCode } from './errors.js';
import type { DoorMode, Role } from './types.js';

export type DoorChannel = 'http' | 'console' | 'mqtt' | 'bridge' | 'fire_input' | 'system';
export interface DoorCaller {
  id: string;
  name: string;
  role: Role | 'operator' | 'system';
  channel: DoorChannel;
}

export type DoorCallerRole = DoorCaller['role'];
export const DOOR_CALLER_ROLES: readonly DoorCallerRole[] = ['admin', 'superadmin', 'operator', 'system'];
export const DOOR_CHANNELS: readonly DoorChannel[] = [
  'http',
  'console',
  'mqtt',
  'bridge',
  'fire_input',
  'system',
];

/** The codes a door rule refuses with (each one is in the error catalogue). */
export type DoorRefusal = Extract<
  ErrorCode,
  'forbidden' | 'fire_alarm_active' | 'mode_via_normal' | 'door_in_lockdown' | 'reason_required'
>;

/** Who may command an unlock when the site says nothing (door.remoteUnlockRoles). */
export const DEFAULT_REMOTE_UNLOCK_ROLES: readonly DoorCallerRole[] = ['superadmin'];

export type DoorVerdict = { ok: true; noop: boolean } | { ok: false; code: DoorRefusal };

const allow = (noop = false): DoorVerdict => ({ ok: true, noop });
const refuse = (code: DoorRefusal): DoorVerdict => ({ ok: false, code });

/**
 * A caller the door takes commands from at all. The fire input and the system speak only for
 * themselves; the bridge carries credentials, never commands; a person or an operator never
 * arrives on the fire-input or system channel.
 */
function isCommandCaller(c: DoorCaller): boolean {
  if (c.channel === 'bridge') return false;
  if (c.channel === 'fire_input' || c.channel === 'system') return c.role === 'system';
  return c.role !== 'system';
}

/** May `caller` move the door from `from` to `to`, with the fire input as it is? */
export function decideModeChange(input: {
  from: DoorMode;
  to: DoorMode;
  caller: DoorCaller;
  fireActive: boolean;
}): DoorVerdict {
  const { from, to, caller, fireActive } = input;
  if (!isCommandCaller(caller)) return refuse('forbidden');
  // The fire input releases from any mode, and puts back the mode it interrupted when it clears.
  if (caller.channel === 'fire_input') return allow(from === to);
  if (caller.role === 'admin') return refuse('forbidden');
  if (fireActive && to !== 'emergency_release') return refuse('fire_alarm_active');
  if (caller.role === 'operator') {
    const mayHold = to === 'lockdown' || (to === 'normal' && from === 'normal');
    if (from === to && mayHold) return allow(true);
    return from === 'normal' && to === 'lockdown' ? allow() : refuse('forbidden');
  }
  // superadmin on a human channel, or the system on its own.
  if (from === to) return allow(true);
  if (from !== 'normal' && to !== 'normal') return refuse('mode_via_normal');
  return allow();
}

/**
 * May `caller` command one momentary unlock in `mode`? A remote unlock bypasses the whole
 * procedure (no visit, no approval, no escort), so only the roles the site names may ask
 * (`allowedRoles`, default the superadmin), and a person asking over HTTP or the console gives a
 * reason (`reason` undefined: not checked, e.g. a check before the request is complete).
 */
export function decideCommandUnlock(input: {
  mode: DoorMode;
  caller: DoorCaller;
  allowedRoles?: readonly DoorCallerRole[];
  reason?: string | null;
}): DoorVerdict {
  const { mode, caller } = input;
  if (!isCommandCaller(caller) || caller.channel === 'fire_input') return refuse('forbidden');
  if (caller.role !== 'system' && !(input.allowedRoles ?? DEFAULT_REMOTE_UNLOCK_ROLES).includes(caller.role))
    return refuse('forbidden');
  if (
    (caller.channel === 'http' || caller.channel === 'console') &&
    input.reason !== undefined &&
    !(input.reason ?? '').trim()
  )
    return refuse('reason_required');
  // Already held open: nothing to unlock, nothing to journal. A success, so a dashboard button
  // pressed during a release does not show an error for a door that is open.
  if (mode === 'emergency_release') return allow(true);
  if (mode === 'lockdown' && caller.role !== 'superadmin') return refuse('door_in_lockdown');
  return allow();
}

/**
 * A mode change the journal could not record goes ahead only when the fire input forces the
 * release: a door must open for a fire whatever the disk says; anything else without a record is
 * refused (journal_unavailable).
 */
export function mayChangeUnrecorded(to: DoorMode, caller: DoorCaller): boolean {
  return to === 'emergency_release' && caller.channel === 'fire_input';
}
