/** Record ids. Visit ids are short enough to read out at the desk: KNJ-20261128-7F3A9C. */
import { randomBytes, randomUUID } from 'node:crypto';

export function visitId(now: Date): string {
  const d = now.toISOString().slice(0, 10).replace(/-/g, '');
  return `KNJ-${d}-${randomBytes(3).toString('hex').toUpperCase()}`;
}

export function newId(prefix: 'usr' | 'bdg' | 'enr'): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}
