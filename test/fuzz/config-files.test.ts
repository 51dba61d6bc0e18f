/**
 * Fuzzing the configuration loader (#12 §4): 10,000 generated files — well-formed sections with
 * wrong values, unknown keys, junk JSON — are either a valid configuration or a ConfigError that
 * lists every problem with its path. Never another exception, never a crash. Seeded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { AppError } from '../../src/domain/errors.js';

const SECTIONS = [
  'http',
  'hardware',
  'readers',
  'door',
  'access',
  'procedure',
  'journal',
  'mqtt',
  'log',
  'enrolment',
];
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    'sim',
    'gpio-chardev',
    'bridge',
    'nfc',
    'qr-serial',
    'mqtt://x',
    'ws://',
    -1,
    0,
    1e9,
    '',
    null,
  ),
);
const section = fc.dictionary(
  fc.constantFrom(
    'driver',
    'enabled',
    'port',
    'host',
    'url',
    'unlockSeconds',
    'id',
    'role',
    'pin',
    'path',
    'level',
    'x',
  ),
  value,
  { maxKeys: 4 },
);
const config = fc.record(
  {
    version: fc.oneof(fc.constant(1), fc.integer({ min: -2, max: 5 })),
    doorId: fc.oneof(fc.constant('srv'), fc.string({ maxLength: 70 })),
    ...Object.fromEntries(
      SECTIONS.map((s) => [
        s,
        s === 'readers'
          ? fc.array(
              fc.record({
                id: fc.string({ maxLength: 8 }),
                role: fc.constantFrom('entry', 'exit', 'enrol', 'x'),
                driver: value,
              }),
              { maxLength: 3 },
            )
          : section,
      ]),
    ),
  },
  { requiredKeys: [] },
);

describe('fuzz: configuration files', function () {
  this.timeout(180_000);
  it('10,000 generated files: a valid config or a ConfigError with paths, nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jk-cfgfuzz-'));
    const file = join(dir, 'config.json');
    let valid = 0;
    let refused = 0;
    try {
      fc.assert(
        fc.property(
          fc.oneof(
            { weight: 9, arbitrary: config.map((c) => JSON.stringify(c)) },
            { weight: 1, arbitrary: fc.string() },
          ),
          (text) => {
            writeFileSync(file, text);
            try {
              loadConfig({ file, env: {} });
              valid++;
            } catch (err) {
              assert.ok(
                err instanceof ConfigError || err instanceof AppError,
                `${text} → ${(err as Error).stack}`,
              );
              assert.ok((err as Error).message.length > 0);
              refused++;
            }
          },
        ),
        { numRuns: 10_000, seed: 1201 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(valid + refused, 10_000);
    assert.ok(refused > 5_000, `${refused} refused`);
  });
});
