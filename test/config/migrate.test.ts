/**
 * Migration of old configuration files (src/config/migrate.ts): a table of vN → vN+1 steps keyed
 * on `version`. There is no real step yet (v1 is the only version), so a fake v0 → v1 one is used.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { MIGRATIONS, type MigrationStep, migrate } from '../../src/config/migrate.js';
import { CONFIG_VERSION } from '../../src/config/schema.js';

function migrationErrors(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.errors;
  }
  assert.fail('expected a ConfigError');
}

/** A fake v0: the escort window was `access.escortWindow`, in milliseconds. */
const v0ToV1: MigrationStep = (raw) => {
  const { access, ...rest } = raw as { access?: { escortWindow?: number } };
  const { escortWindow, ...otherAccess } = access ?? {};
  return {
    ...rest,
    version: 1,
    access: {
      ...otherAccess,
      ...(escortWindow === undefined ? {} : { escortWindowSeconds: escortWindow / 1000 }),
    },
  };
};

describe('config/migrate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jk-migrate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the current version, or none, passes through untouched', () => {
    const current = { version: CONFIG_VERSION, doorId: 'a' };
    assert.equal(migrate(current).config, current);
    assert.equal(migrate(current).from, CONFIG_VERSION);
    const unversioned = { doorId: 'a' };
    assert.equal(migrate(unversioned).config, unversioned);
    assert.deepEqual(MIGRATIONS, {}, 'v1 is the only version there has been');
  });

  it('applies the steps in turn, vN → vN+1, without touching the input', () => {
    const old = { version: 0, doorId: 'a', access: { escortWindow: 15000, staffSoloEntry: false } };
    const copy = structuredClone(old);
    const r = migrate(old, { steps: { 0: v0ToV1 }, current: 1 });
    assert.equal(r.from, 0);
    assert.deepEqual(r.config, {
      version: 1,
      doorId: 'a',
      access: { escortWindowSeconds: 15, staffSoloEntry: false },
    });
    assert.deepEqual(old, copy);
    const twoSteps = migrate(
      { version: 0 },
      { steps: { 0: v0ToV1, 1: (c) => ({ ...c, version: 2, added: true }) }, current: 2 },
    );
    assert.deepEqual(twoSteps.config, { version: 2, access: {}, added: true });
  });

  it('a file newer than the code is refused, naming its version and the file', () => {
    const errors = migrationErrors(() =>
      migrate({ version: CONFIG_VERSION + 1 }, { source: '/etc/jk.json' }),
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, new RegExp(`^version ${CONFIG_VERSION + 1} \\(/etc/jk\\.json\\) is newer`));
    assert.match(errors[0]!, /upgrade jurukunci/);
  });

  it('a version with no way forward, or a step that lies about its result, is refused', () => {
    assert.deepEqual(
      migrationErrors(() => migrate({ version: 0 }, { steps: {}, current: 1 })),
      ['version 0 cannot be migrated: no step from 0 to 1'],
    );
    assert.deepEqual(
      migrationErrors(() => migrate({ version: 0 }, { steps: { 0: (c) => c }, current: 1 })),
      ['version migration step 0 → 1 returned version 0'],
    );
  });

  it('a version that is not a whole number is left to the schema to name', () => {
    const f = join(dir, 'c.json');
    writeFileSync(f, JSON.stringify({ version: '1' }));
    const errors = migrationErrors(() => loadConfig({ file: f, env: {} }));
    assert.deepEqual(errors, ['version must be integer', 'version must be one of [1]']);
  });

  it('loading a file migrates it first: a file from the future is refused by loadConfig', () => {
    const f = join(dir, 'future.json');
    writeFileSync(f, JSON.stringify({ version: 99, doorId: 'a' }));
    const errors = migrationErrors(() => loadConfig({ file: f, env: {} }));
    assert.equal(errors.length, 1);
    assert.match(
      errors[0]!,
      new RegExp(`^version 99 \\(${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\) is newer`),
    );
  });
});
