/**
 * Every payload jurukunci publishes or accepts over MQTT, in one file. docs/mqtt/asyncapi.yaml is
 * the contract; the tests validate every published payload against it.
 */
import type { MqttCommandName } from '../config/schema.js';
import type { ErrorCode } from '../domain/errors.js';
import type { EventType } from '../domain/events.js';
import type { DoorMode } from '../domain/types.js';

export type Availability = 'online' | 'offline';

/** `<base>/<door>/events/<type>`: one per journal event, QoS 1, not retained. */
export interface EventMessage {
  id: string;
  seq: number;
  type: EventType;
  at: string;
  door: string;
  data: Record<string, unknown>;
}

/** `<base>/<door>/access`: access events only, shaped for a Home Assistant event entity. */
export interface AccessMessage {
  event_type: 'granted' | 'denied' | 'awaiting_escort' | 'exit';
  id: string;
  seq: number;
  at: string;
  name?: string;
  reason?: string;
  reader?: string;
}

export interface StateOccupant {
  badgeId: string;
  kind: 'staff' | 'visitor';
  name: string;
  visitId: string | null;
  userId: string | null;
  since: string;
  /** Visitors: escorts who badged them in; and whether one of them is inside now. */
  escortedBy?: string[];
  escorted?: boolean;
}

/** `<base>/<door>/state`: retained, republished on every change. */
export interface StateMessage {
  door: string;
  lock: 'locked' | 'unlocked';
  contact: 'open' | 'closed';
  mode: DoorMode;
  occupied: boolean;
  inside: StateOccupant[];
  pending: number;
  alarms: { forced: boolean; heldOpen: boolean };
  /** The journal head when the state was taken: an anchor the dashboard keeps. */
  journal?: { seq: number; hash: string };
  at: string;
}

export type CommandName = MqttCommandName;
export const COMMAND_NAMES: readonly CommandName[] = ['state', 'unlock', 'lockdown', 'emergency_release'];

/**
 * `<base>/<door>/request/<command>`: signed by a configured operator (src/mqtt/command-auth.ts);
 * the actor journaled is that operator, never a name the payload gives.
 */
export interface CommandRequest {
  on?: boolean;
  reason?: string;
  transaction?: string | number;
  /** The id of an operator in mqtt.operators. */
  operator?: string;
  /** When it was signed: milliseconds since the epoch. */
  timestamp?: number;
  /** Unique per request of this operator (16–128 characters). */
  nonce?: string;
  /** Hex HMAC-SHA256 with the operator's key over signedText(door, command, request). */
  signature?: string;
}

/**
 * The codes a command response may carry: a subset of the error catalogue (src/domain/errors.ts),
 * which holds their status and messages. The door rules' refusals pass through as they are.
 */
export const COMMAND_ERROR_CODES = [
  'commands_disabled',
  'command_not_allowed',
  'unknown_command',
  'malformed_request',
  'command_unsigned',
  'command_unknown_operator',
  'command_bad_signature',
  'command_stale',
  'command_replayed',
  'door_in_lockdown',
  'not_in_mode',
  'forbidden',
  'fire_alarm_active',
  'mode_via_normal',
  'journal_unavailable',
  'internal_error',
] as const satisfies readonly ErrorCode[];
export type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[number];

/** `<base>/<door>/response/<command>` */
export interface CommandResponse {
  status: 'ok' | 'error';
  data: StateMessage | Record<string, never>;
  error?: { code: CommandErrorCode; message: string };
  transaction?: string | number;
}
