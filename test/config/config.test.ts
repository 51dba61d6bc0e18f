/**
 * Configuration: embedded defaults, validation listing every error with its path, unknown keys,
 * environment overrides, freezing, and the `config check` / `verify-journal` commands run as real
 * child processes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, envName, envOverrides, loadConfig, validateConfig } from '../../src/config/load.js';
import { uncheckedEvent } from '../../src/domain/events.js';
import { Journal } from '../../src/store/journal.js';
import { listSegments } from '../../src/store/journal-segments.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function configErrors(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.ok(err.errors.length > 0);
    for (const e of err.errors) assert.ok(err.message.includes(e), 'the message lists every error');
    return err.errors;
  }
  assert.fail('expected a ConfigError');
}

function hasError(errors: string[], path: string, fragment: string | RegExp): void {
  const hit = errors.some(
    (e) =>
      e.startsWith(`${path} `) && (typeof fragment === 'string' ? e.includes(fragment) : fragment.test(e)),
  );
  assert.ok(hit, `no error for ${path} matching ${String(fragment)} in:\n  ${errors.join('\n  ')}`);
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn('npx', ['tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

describe('config', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jk-config-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('embedded defaults', () => {
    it('are valid and match the documented defaults', () => {
      const c = loadConfig({ env: {} });
      assert.equal(c.version, 1);
      assert.equal(c.doorId, 'server-room');
      assert.equal(c.dataDir, './data');
      assert.deepEqual(c.http, {
        host: '127.0.0.1',
        port: 8080,
        bodyLimitBytes: 65536,
        sessionTtlMinutes: 480,
        trustProxy: false,
        loginMaxAttempts: 5,
      });
      assert.deepEqual(c.site, { timeZone: 'Asia/Jakarta' });
      assert.equal(c.hardware.driver, 'sim');
      assert.deepEqual(c.hardware.gpio.relay, { pin: 17, activeLow: false });
      assert.deepEqual(c.readers, [
        { id: 'entry', role: 'entry', driver: 'sim' },
        { id: 'exit', role: 'exit', driver: 'sim' },
      ]);
      assert.deepEqual(c.door, { unlockSeconds: 5, heldOpenSeconds: 30, remoteUnlockRoles: ['superadmin'] });
      assert.equal(c.access.clockToleranceSeconds, 120);
      assert.equal(c.access.staffEntryOnUntrustedClock, true);
      assert.equal(c.access.escortWindowSeconds, 10);
      assert.equal(c.access.staffSoloEntry, true);
      assert.equal(c.access.escortScope, 'visit');
      assert.equal(c.access.antiPassback, 'hard');
      assert.equal(c.procedure.slaSubmitToVerifyMinutes, 15);
      assert.equal(c.procedure.slaVerifyToDecisionMinutes, 10);
      assert.equal(c.procedure.maxWindowDays, 7);
    });

    it('an empty object validates to the same defaults', () => {
      assert.deepEqual(validateConfig({}), loadConfig({ env: {} }));
    });

    it('config/example.json is valid', () => {
      const c = loadConfig({ file: join(ROOT, 'config', 'example.json'), env: {} });
      assert.equal(c.dataDir, '/var/lib/jurukunci');
    });

    it('every example in config/ is valid, schema and rules alike', () => {
      const examples = readdirSync(join(ROOT, 'config')).filter((f) => f.endsWith('.json'));
      assert.ok(examples.includes('raspberry-pi.example.json'), examples.join(', '));
      for (const f of examples) {
        const c = loadConfig({ file: join(ROOT, 'config', f), env: {} });
        assert.equal(c.version, 1, f);
      }
    });

    it('each load gets its own objects (freezing one does not touch the next)', () => {
      const a = loadConfig({ env: {} });
      const b = loadConfig({ env: {}, overrides: { readers: [{ id: 'in', role: 'entry', driver: 'sim' }] } });
      const c = loadConfig({ env: {} });
      assert.notEqual(a.readers, c.readers);
      assert.equal(b.readers.length, 1);
      assert.equal(c.readers.length, 2);
    });
  });

  describe('validation', () => {
    it('rejects unknown keys, listing every one with its path', () => {
      const errors = configErrors(() =>
        validateConfig({
          colour: 'blue',
          http: { port: 8080, hots: '0.0.0.0' },
          access: { escortWindow: 5 },
          readers: [{ id: 'entry', role: 'entry', driver: 'sim', pin: 4 }],
        }),
      );
      hasError(errors, '(root)', "unknown key 'colour'");
      hasError(errors, 'http', "unknown key 'hots'");
      hasError(errors, 'access', "unknown key 'escortWindow'");
      hasError(errors, 'readers.0', "unknown key 'pin'");
      assert.ok(errors.length >= 4);
    });

    it('rejects wrong types and values, all at once', () => {
      const errors = configErrors(() =>
        validateConfig({
          http: { port: '8080' },
          door: { unlockSeconds: 'five', heldOpenSeconds: 0 },
          access: { staffSoloEntry: 'yes', escortScope: 'anyone', escortWindowSeconds: 500 },
          readers: [{ id: 'Entry Reader', role: 'inside', driver: 'sim' }],
          doorId: 'Server Room!',
          log: { level: 'loud' },
        }),
      );
      hasError(errors, 'http.port', 'integer');
      hasError(errors, 'door.unlockSeconds', 'number');
      hasError(errors, 'door.heldOpenSeconds', '>=');
      hasError(errors, 'access.staffSoloEntry', 'boolean');
      hasError(errors, 'access.escortScope', 'must be one of ["visit","any"]');
      hasError(errors, 'access.escortWindowSeconds', '<=');
      hasError(errors, 'readers.0.id', 'pattern');
      hasError(errors, 'readers.0.role', 'must be one of');
      hasError(errors, 'doorId', 'pattern');
      hasError(errors, 'log.level', 'must be one of');
      assert.ok(errors.length >= 10, errors.join('\n'));
    });

    it('a reader without its required fields is named', () => {
      const errors = configErrors(() => validateConfig({ readers: [{ id: 'entry' }] }));
      hasError(errors, 'readers.0', "must have required property 'role'");
      hasError(errors, 'readers.0', "must have required property 'driver'");
    });

    it('a syntax error gives the line and column and never quotes the file (it holds passwords)', () => {
      const bad = join(dir, 'secret.json');
      writeFileSync(bad, '{\n  "mqtt": { "password": "rahasia-sekali" \n}');
      const errors = configErrors(() => loadConfig({ file: bad, env: {} }));
      assert.deepEqual(errors, [
        `${bad}: not valid JSON (JSON syntax error at line 3, column 2: expected ',' or '}', found the end of the text)`,
      ]);
      writeFileSync(bad, '');
      assert.deepEqual(
        configErrors(() => loadConfig({ file: bad, env: {} })),
        [`${bad}: not valid JSON (empty (0 bytes))`],
      );
    });

    it('schema violations of a file name the file once and every key path', () => {
      const f = join(dir, 'schema.json');
      writeFileSync(f, JSON.stringify({ doorId: 5, door: { unlockSecnds: 5 } }));
      try {
        loadConfig({ file: f, env: {} });
        assert.fail('loaded');
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.code, 'config_invalid');
        assert.equal(err.source, f);
        assert.deepEqual(err.details, { errors: err.errors, file: f });
        assert.ok(err.message.startsWith(`invalid configuration (${f}):\n`), err.message);
        hasError(err.errors, 'doorId', 'must be string');
        hasError(err.errors, 'door', "unknown key 'unlockSecnds'");
      }
    });

    it('a file that is not JSON, or not an object, is an error naming the file', () => {
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{ "http": ');
      hasError(
        configErrors(() => loadConfig({ file: bad, env: {} })),
        bad.concat(':'),
        'not valid JSON',
      );
      writeFileSync(bad, '[1, 2]');
      hasError(
        configErrors(() => loadConfig({ file: bad, env: {} })),
        bad.concat(':'),
        'object',
      );
      const missing = join(dir, 'missing.json');
      hasError(
        configErrors(() => loadConfig({ file: missing, env: {} })),
        missing.concat(':'),
        'ENOENT',
      );
    });

    it('JURUKUNCI_CONFIG names the file', () => {
      const f = join(dir, 'c.json');
      writeFileSync(f, JSON.stringify({ doorId: 'ruang-server-2' }));
      assert.equal(loadConfig({ env: { JURUKUNCI_CONFIG: f } }).doorId, 'ruang-server-2');
    });
  });

  describe('environment overrides', () => {
    it('names derive from the schema paths', () => {
      assert.equal(envName(['http', 'port']), 'JURUKUNCI_HTTP__PORT');
      assert.equal(envName(['access', 'escortWindowSeconds']), 'JURUKUNCI_ACCESS__ESCORT_WINDOW_SECONDS');
      assert.equal(envName(['dataDir']), 'JURUKUNCI_DATA_DIR');
    });

    it('override the embedded defaults and the file, with the right types', () => {
      const f = join(dir, 'c.json');
      writeFileSync(
        f,
        JSON.stringify({ http: { port: 9000, host: '0.0.0.0' }, access: { escortWindowSeconds: 20 } }),
      );
      const c = loadConfig({
        file: f,
        env: {
          JURUKUNCI_HTTP__PORT: '8181',
          JURUKUNCI_ACCESS__ESCORT_WINDOW_SECONDS: '2.5',
          JURUKUNCI_ACCESS__STAFF_SOLO_ENTRY: 'false',
          JURUKUNCI_DATA_DIR: '/tmp/jk-data',
          JURUKUNCI_READERS: JSON.stringify([{ id: 'pintu', role: 'entry', driver: 'sim' }]),
        },
      });
      assert.equal(c.http.port, 8181);
      assert.equal(c.http.host, '0.0.0.0', 'the file still applies where env is silent');
      assert.equal(c.access.escortWindowSeconds, 2.5);
      assert.equal(c.access.staffSoloEntry, false);
      assert.equal(c.dataDir, '/tmp/jk-data');
      assert.deepEqual(c.readers, [{ id: 'pintu', role: 'entry', driver: 'sim' }]);
      assert.equal(
        loadConfig({ env: { JURUKUNCI_ACCESS__STAFF_SOLO_ENTRY: 'true' } }).access.staffSoloEntry,
        true,
      );
      assert.equal(
        loadConfig({ env: { JURUKUNCI_ACCESS__STAFF_SOLO_ENTRY: '0' } }).access.staffSoloEntry,
        false,
      );
    });

    it('ignores variables that are not config names', () => {
      const c = loadConfig({ env: { JURUKUNCI_NOPE: '1', PATH: '/bin', HTTP__PORT: '1' } });
      assert.equal(c.http.port, 8080);
      assert.deepEqual(envOverrides({ JURUKUNCI_NOPE: '1' }).values, {});
    });

    it('a bad number or boolean is an error naming the variable', () => {
      hasError(
        configErrors(() => loadConfig({ env: { JURUKUNCI_HTTP__PORT: 'eighty' } })),
        'JURUKUNCI_HTTP__PORT',
        'must be a number',
      );
      hasError(
        configErrors(() => loadConfig({ env: { JURUKUNCI_ACCESS__ESCORT_WINDOW_SECONDS: ' ' } })),
        'JURUKUNCI_ACCESS__ESCORT_WINDOW_SECONDS',
        'must be a number',
      );
      hasError(
        configErrors(() => loadConfig({ env: { JURUKUNCI_ACCESS__STAFF_SOLO_ENTRY: 'yes' } })),
        'JURUKUNCI_ACCESS__STAFF_SOLO_ENTRY',
        'true or false',
      );
      hasError(
        configErrors(() => loadConfig({ env: { JURUKUNCI_READERS: '[{' } })),
        'JURUKUNCI_READERS',
        'JSON array',
      );
    });

    it('a well-formed number out of range fails validation with its path', () => {
      hasError(
        configErrors(() => loadConfig({ env: { JURUKUNCI_HTTP__PORT: '70000' } })),
        'http.port',
        '<=',
      );
      hasError(
        configErrors(() => loadConfig({ env: { JURUKUNCI_HTTP__PORT: '80.5' } })),
        'http.port',
        'integer',
      );
    });

    it('lists environment errors and file errors together', () => {
      const f = join(dir, 'c.json');
      writeFileSync(f, JSON.stringify({ http: { prot: 1 } }));
      const errors = configErrors(() =>
        loadConfig({ file: f, env: { JURUKUNCI_DOOR__UNLOCK_SECONDS: 'soon' } }),
      );
      hasError(errors, 'JURUKUNCI_DOOR__UNLOCK_SECONDS', 'must be a number');
      hasError(errors, 'http', "unknown key 'prot'");
    });
  });

  describe('the result', () => {
    it('is frozen all the way down', () => {
      const c = loadConfig({ env: {} });
      assert.ok(Object.isFrozen(c));
      assert.ok(Object.isFrozen(c.http));
      assert.ok(Object.isFrozen(c.access));
      assert.ok(Object.isFrozen(c.readers));
      assert.ok(Object.isFrozen(c.readers[0]));
      assert.throws(() => {
        (c.http as { port: number }).port = 1;
      }, TypeError);
      assert.throws(() => {
        (c.readers as unknown[]).push({});
      }, TypeError);
      assert.throws(() => {
        (c as unknown as Record<string, unknown>).extra = 1;
      }, TypeError);
      assert.equal(c.http.port, 8080);
    });

    it('does not freeze or alter the caller’s overrides', () => {
      const overrides = { access: { escortWindowSeconds: 3 } };
      loadConfig({ env: {}, overrides });
      assert.ok(!Object.isFrozen(overrides.access));
      assert.deepEqual(overrides, { access: { escortWindowSeconds: 3 } });
    });
  });

  describe('jurukunci config check FILE', function () {
    this.timeout(60_000);

    it('exits 0 for a good file', async () => {
      const f = join(dir, 'good.json');
      writeFileSync(
        f,
        JSON.stringify({ doorId: 'ruang-server', http: { port: 8081 }, access: { escortWindowSeconds: 15 } }),
      );
      const r = await cli(['config', 'check', f]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /ok/);
      assert.match(r.stdout, /ruang-server/);
    });

    it('exits 1 and lists every error with its path for a bad file', async () => {
      const f = join(dir, 'bad.json');
      writeFileSync(
        f,
        JSON.stringify({
          colour: 'blue',
          http: { port: 'x', hots: 'a' },
          access: { escortScope: 'anyone' },
          door: { unlockSeconds: -1 },
        }),
      );
      const r = await cli(['config', 'check', f]);
      assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, /\(root\) unknown key 'colour'/);
      assert.match(r.stderr, /http unknown key 'hots'/);
      assert.match(r.stderr, /http\.port must be integer/);
      assert.match(r.stderr, /access\.escortScope must be one of/);
      assert.match(r.stderr, /door\.unlockSeconds must be >=/);
      assert.match(r.stderr, /5 error\(s\)/);
    });

    it('exits 1 and lists every rule the schema cannot say, with its path', async () => {
      const f = join(dir, 'rules.json');
      writeFileSync(
        f,
        JSON.stringify({
          hardware: { driver: 'gpio-chardev', gpio: { exitButton: { pin: 17 } } },
          readers: [
            { id: 'entry', role: 'entry', driver: 'nfc', nfc: { namePattern: 'ACR122U(' } },
            { id: 'entry', role: 'exit', driver: 'sim' },
          ],
          mqtt: { url: 'mqtt://broker:1883', ca: '/etc/jurukunci/ca.pem' },
        }),
      );
      const r = await cli(['config', 'check', f]);
      assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, /hardware\.gpio\.exitButton\.pin BCM 17 is used by two lines/);
      assert.match(r.stderr, /readers\.0\.nfc\.namePattern is not a valid regular expression/);
      assert.match(r.stderr, /readers\.1\.id 'entry' is already the id of readers\.0/);
      assert.match(r.stderr, /mqtt\.ca needs a TLS broker URL/);
      assert.match(r.stderr, /4 error\(s\)/);
    });

    it('exits 1 for a file newer than this jurukunci, naming its version', async () => {
      const f = join(dir, 'future.json');
      writeFileSync(f, JSON.stringify({ version: 2 }));
      const r = await cli(['config', 'check', f]);
      assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, /1 error\(s\)/);
      assert.match(r.stderr, /version 2 .* is newer than this jurukunci/);
    });

    it('exits 1 for a file that is not JSON', async () => {
      const f = join(dir, 'broken.json');
      writeFileSync(f, '{ nope');
      const r = await cli(['config', 'check', f]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /not valid JSON/);
    });
  });

  describe('jurukunci verify-journal DIR', function () {
    this.timeout(60_000);

    function buildJournal(events: number): string {
      const jdir = join(dir, 'journal');
      const j = new Journal({ dir: jdir, door: 'server-room', maxFileBytes: 4096 });
      j.start();
      for (let i = 0; i < events; i++) j.append(uncheckedEvent('door.exit_request', { source: 'test', i }));
      j.stop();
      return jdir;
    }

    it('exits 0 on a good journal (several segments)', async () => {
      const jdir = buildJournal(40);
      assert.ok(listSegments(jdir).length > 1, 'rotation produced several segments');
      const r = await cli(['verify-journal', jdir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /journal ok: 40 events/);
    });

    it('exits non-zero naming the first bad seq after a line is tampered with', async () => {
      const jdir = buildJournal(40);
      const seg = listSegments(jdir)[1]!;
      const lines = readFileSync(seg.file, 'utf8').split('\n');
      const victim = JSON.parse(lines[2]!) as { seq: number; data: Record<string, unknown> };
      victim.data.source = 'tampered';
      lines[2] = JSON.stringify(victim);
      writeFileSync(seg.file, lines.join('\n'));
      const r = await cli(['verify-journal', jdir]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, new RegExp(`BROKEN at seq ${victim.seq}\\b`));
      assert.match(r.stderr, /hash does not match/);
    });

    it('exits non-zero on a deleted line, naming the missing seq', async () => {
      const jdir = buildJournal(10);
      const seg = listSegments(jdir)[0]!;
      const lines = readFileSync(seg.file, 'utf8').split('\n');
      lines.splice(4, 1); // seq 5
      writeFileSync(seg.file, lines.join('\n'));
      const r = await cli(['verify-journal', jdir]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /BROKEN at seq 5\b/);
    });
  });
});
