/** Shared fixtures for the store tests: temp dirs, records built per src/domain/types.ts, fs tracing. */
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Badge, User, Visit, VisitState } from '../../src/domain/types.js';

export function tempDir(prefix = 'jurukunci-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function makeUser(over: Partial<User> = {}): User {
  const id = over.id ?? 'u-1';
  return {
    id,
    username: `user-${id}`,
    displayName: `User ${id}`,
    role: 'admin',
    escort: true,
    active: true,
    passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
    createdAt: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}

export function makeBadge(over: Partial<Badge> = {}): Badge {
  const id = over.id ?? 'b-1';
  return {
    id,
    uid: `04A1B2C3${id.toUpperCase().replace(/[^0-9A-F]/g, '')}`,
    label: `Badge ${id}`,
    kind: 'visitor',
    userId: null,
    visitId: null,
    active: true,
    createdAt: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}

export function makeVisit(over: Partial<Visit> & { state?: VisitState } = {}): Visit {
  const id = over.id ?? 'v-1';
  const updatedAt = over.updatedAt ?? '2025-01-10T09:00:00.000Z';
  return {
    id,
    state: 'submitted',
    visitor: {
      name: 'Budi Santoso',
      nik: '3319011501900001',
      organisation: 'PT Contoh',
      phone: '081234567890',
    },
    purpose: 'Maintenance server rack A',
    window: { start: '2025-01-10T08:00:00.000Z', end: '2025-01-10T12:00:00.000Z' },
    letterNumber: '005/123/2025',
    ticketRef: null,
    devicesIn: [{ type: 'laptop', model: 'ThinkPad T14', serial: 'SN-001' }],
    devicesOut: [],
    badgeId: null,
    escortIds: [],
    verification: null,
    decision: null,
    firstEntryAt: null,
    checkOut: null,
    history: [
      {
        step: 'submit',
        from: null,
        to: 'submitted',
        at: '2025-01-10T07:00:00.000Z',
        by: { id: 'u-1', name: 'User u-1' },
      },
    ],
    createdAt: '2025-01-10T07:00:00.000Z',
    updatedAt,
    ...over,
  };
}

type FsFns = typeof fs;

/**
 * Replaces functions of node:fs for the duration of `body`, keeping the ESM named exports in sync
 * so modules that `import { fsyncSync } from 'node:fs'` see the replacement. Always restores.
 */
export async function withPatchedFs<R>(
  patch: Partial<{ [K in keyof FsFns]: FsFns[K] }>,
  body: () => R | Promise<R>,
): Promise<R> {
  const target = fs as unknown as Record<string, unknown>;
  const saved: Record<string, unknown> = {};
  for (const k of Object.keys(patch)) saved[k] = target[k];
  Object.assign(target, patch);
  syncBuiltinESMExports();
  try {
    return await body();
  } finally {
    Object.assign(target, saved);
    syncBuiltinESMExports();
  }
}
