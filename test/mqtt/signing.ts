/** Signed MQTT requests for tests: the operators tests configure and a signer for them. */
import { randomBytes } from 'node:crypto';
import type { MqttOperator } from '../../src/config/schema.js';
import { signCommand } from '../../src/mqtt/command-auth.js';

export const OPERATORS = {
  kasi: { id: 'kasi', name: 'Kepala Seksi', role: 'superadmin', key: 'k'.repeat(40) },
  budi: { id: 'budi', name: 'Budi (admin)', role: 'admin', key: 'b'.repeat(40) },
  desk: { id: 'desk', name: 'Operator desk', role: 'operator', key: 'd'.repeat(40) },
} satisfies Record<string, MqttOperator>;
export const OPERATOR_LIST: MqttOperator[] = Object.values(OPERATORS);

/** A request signed by `op` for `door`/`command`, fresh (timestamp now, a new nonce). */
export function signed(
  door: string,
  command: string,
  body: Record<string, unknown>,
  op: MqttOperator = OPERATORS.kasi,
  at: number = Date.now(),
): Record<string, unknown> {
  const req = { ...body, operator: op.id, timestamp: at, nonce: randomBytes(12).toString('hex') };
  return { ...req, signature: signCommand(op.key, door, command, req) };
}
