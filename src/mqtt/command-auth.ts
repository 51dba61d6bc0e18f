/**
 * Who sent an MQTT command, and whether it is fresh. A request names its operator, a timestamp and
 * a nonce, and carries an HMAC-SHA256 signature made with that operator's key (mqtt.operators)
 * over the door, the command and the request itself. The same check runs whatever the broker:
 * broker credentials say who may publish, the signature says who asked. Refused:
 * - no signature fields (command_unsigned), an operator not configured (command_unknown_operator),
 *   a signature that does not verify (command_bad_signature);
 * - a timestamp further than maxAgeSeconds from the door clock, or older than this process (its
 *   nonces are not remembered across a restart) (command_stale);
 * - a nonce or transaction this operator used within the window (command_replayed).
 * The nonce is remembered only once the signature verifies, so nobody without a key can fill the
 * cache; it holds at most one window of one operator's requests.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MqttOperator } from '../config/schema.js';
import type { DoorCaller } from '../domain/door-modes.js';

export type CommandAuthRefusal =
  | 'command_unsigned'
  | 'command_unknown_operator'
  | 'command_bad_signature'
  | 'command_stale'
  | 'command_replayed';

/** The signed fields of a request, as they arrive (the request schema checked their types). */
export interface SignedFields {
  operator?: string;
  timestamp?: number;
  nonce?: string;
  signature?: string;
}

export type CommandAuthResult =
  | { ok: true; caller: DoorCaller & { channel: 'mqtt' } }
  | { ok: false; code: CommandAuthRefusal; operator?: string };

export const SIGNATURE_VERSION = 'jurukunci-command-v1';

/** Keys in a stable order at every depth, so signer and verifier hash the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The text an operator signs: the version, the door, the command and the request without its
 * signature (operator, timestamp, nonce, transaction and arguments included), one per line.
 */
export function signedText(door: string, command: string, request: Record<string, unknown>): string {
  const { signature: _signature, ...rest } = request;
  return `${SIGNATURE_VERSION}\n${door}\n${command}\n${canonicalJson(rest)}`;
}

/** The hex HMAC-SHA256 signature of a request (dashboards and tests sign with this). */
export function signCommand(
  key: string,
  door: string,
  command: string,
  request: Record<string, unknown>,
): string {
  return createHmac('sha256', key)
    .update(signedText(door, command, request))
    .digest('hex');
}

export interface CommandAuthOptions {
  door: string;
  operators: readonly MqttOperator[];
  maxAgeSeconds: number;
  clock: () => Date;
  /** Requests signed before this instant are refused: the nonces of an earlier run are gone. */
  notBefore?: Date;
}

export class CommandAuth {
  private readonly operators: Map<string, MqttOperator>;
  /** `<operator>\n<n|t>\n<nonce or transaction>` → when it may be forgotten (ms). */
  private readonly seen = new Map<string, number>();
  private readonly notBefore: number;

  constructor(private readonly opts: CommandAuthOptions) {
    this.operators = new Map(opts.operators.map((o) => [o.id, o]));
    this.notBefore = (opts.notBefore ?? opts.clock()).getTime();
  }

  /** Verifies a request already checked against its schema; remembers its nonce when it passes. */
  verify(command: string, request: SignedFields & Record<string, unknown>): CommandAuthResult {
    const { operator: id, timestamp, nonce, signature } = request;
    if (id === undefined || timestamp === undefined || nonce === undefined || signature === undefined)
      return { ok: false, code: 'command_unsigned', ...(id !== undefined ? { operator: id } : {}) };
    const op = this.operators.get(id);
    if (!op) return { ok: false, code: 'command_unknown_operator', operator: id };
    const expected = Buffer.from(signCommand(op.key, this.opts.door, command, request), 'hex');
    const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, code: 'command_bad_signature', operator: id };
    const now = this.opts.clock().getTime();
    const window = this.opts.maxAgeSeconds * 1000;
    if (Math.abs(now - timestamp) > window || timestamp < this.notBefore - 1000)
      return { ok: false, code: 'command_stale', operator: id };
    this.forgetExpired(now);
    const keys = [`${id}\nn\n${nonce}`];
    const t = request.transaction;
    if (typeof t === 'string' || typeof t === 'number') keys.push(`${id}\nt\n${String(t)}`);
    if (keys.some((k) => this.seen.has(k))) return { ok: false, code: 'command_replayed', operator: id };
    // Kept until the timestamp can no longer pass the age check.
    for (const k of keys) this.seen.set(k, timestamp + window + 1000);
    return {
      ok: true,
      caller: { id: `mqtt:${op.id}`, name: op.name, role: op.role, channel: 'mqtt' },
    };
  }

  private forgetExpired(now: number): void {
    for (const [k, until] of this.seen) if (until < now) this.seen.delete(k);
  }

  /** Nonces and transactions remembered (tests, health). */
  get remembered(): number {
    return this.seen.size;
  }
}
