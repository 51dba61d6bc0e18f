/**
 * Corrupt data and configuration files (issue #12 §3) against the real command line: a damaged
 * state.json (cut mid-way, or 0 bytes as a power cut leaves it), door.json or configuration file
 * stops `jurukunci start` with a coded, bilingual error naming the file and what is wrong, exits
 * non-zero and changes no byte of the data dir; `jurukunci state restore` brings back the previous
 * generation after checking it against the journal, and the service starts on it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ERRORS } from '../../src/domain/errors.js';
import { freePort } from '../fixtures/mosquitto.js';
import { visitRequest } from '../fixtures/runtime.js';
import { cleanEnv, ServiceProcess } from '../fixtures/service-process.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Every file under `dir` (recursively) with its bytes, for "nothing changed". */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n !== 'jurukunci.pid') out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

describe('fault: corrupt state.json, door.json and config (real command line)', function () {
  this.timeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'jk-corrupt-'));
  const dataDir = join(dir, 'data');
  let env: Record<string, string>;
  let service: ServiceProcess;
  let visitId: string;
  let good: Map<string, Buffer>;

  const cli = (args: string[], extraEnv: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: cleanEnv({ ...env, ...extraEnv }),
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  /** A start that must fail: non-zero, the catalogue text in both languages, and no byte changed. */
  const refusedStart = (
    extraEnv: Record<string, string> = {},
    code: { id: string; en: string } = ERRORS.state_file_corrupt,
  ) => {
    const before = snapshot(dataDir);
    const r = cli(['start'], extraEnv);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /jurukunci ready/);
    assert.ok(r.stderr.includes(code.id) && r.stderr.includes(code.en), r.stderr);
    assert.deepEqual(snapshot(dataDir), before, 'the refused start changed nothing');
    return r.stderr;
  };

  before(async () => {
    const httpPort = await freePort();
    env = {
      JURUKUNCI_DATA_DIR: dataDir,
      JURUKUNCI_HTTP__PORT: String(httpPort),
      JURUKUNCI_MQTT__ENABLED: 'false',
      JURUKUNCI_LOG__LEVEL: 'info',
    };
    service = new ServiceProcess({ env, httpPort });
    await service.start();
    const setup = await service.api('/api/setup', {
      token: service.setupToken(),
      username: 'kasi',
      displayName: 'Kepala Seksi',
      password: 'kasi-password-1',
      escort: false,
    });
    assert.equal(setup.status, 201, JSON.stringify(setup.json));
    const token = await service.login();
    const kasiId = (setup.json.user as { id: string }).id;
    const badge = await service.api(
      '/api/badges',
      { uid: '04A1B2C3D4E5F6', label: 'Kasi', kind: 'staff', userId: kasiId },
      token,
    );
    assert.equal(badge.status, 201, JSON.stringify(badge.json));
    // Two door.json generations: kasi goes in, and stays.
    for (const reader of ['entry', 'exit', 'entry']) {
      const t = await service.api('/api/sim/tap', { reader, uid: '04A1B2C3D4E5F6' }, token);
      assert.equal(t.status, 200, JSON.stringify(t.json));
    }
    // The last state.json write: a visit, the one change state.json.prev will lack.
    const visit = await service.api('/api/visits', visitRequest(new Date(), { devicesIn: [] }), token);
    assert.equal(visit.status, 201, JSON.stringify(visit.json));
    visitId = (visit.json.visit as { id: string }).id;
    await service.kill9();
    good = snapshot(dataDir);
    for (const f of ['state.json', 'state.json.prev', 'door.json', 'door.json.prev'])
      assert.ok(good.has(f), `${f} written`);
  });
  after(async () => {
    await service?.kill9();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a state.json cut off mid-way stops the start: the file, line and column, how to restore; nothing overwritten', () => {
    const state = good.get('state.json')!;
    writeFileSync(join(dataDir, 'state.json'), state.subarray(0, 40));
    const stderr = refusedStart();
    assert.match(
      stderr,
      new RegExp(`${join(dataDir, 'state.json')}: JSON syntax error at line 1, column 41`),
    );
    assert.match(stderr, /state\.json\.prev is kept; .*jurukunci state restore \[--config FILE\]/);
    assert.doesNotMatch(stderr, /3319014507900003|Andi/, 'the file’s content is not echoed');
    writeFileSync(join(dataDir, 'state.json'), state);
  });

  it('a 0-byte state.json (a power-cut artefact): the same refusal, then `state restore` puts the previous generation back', async () => {
    writeFileSync(join(dataDir, 'state.json'), '');
    assert.match(refusedStart(), /state\.json: empty \(0 bytes\)/);

    const dry = cli(['state', 'restore', '--dry-run']);
    assert.equal(dry.code, 0, `${dry.stdout}\n${dry.stderr}`);
    assert.match(dry.stdout, /would be restored/);
    assert.equal(readFileSync(join(dataDir, 'state.json')).length, 0, 'a dry run changes nothing');

    const r = cli(['state', 'restore']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /state\.json: empty \(0 bytes\)/);
    assert.match(r.stdout, /journal ok: \d+ events/);
    assert.match(r.stdout, /door\.json: loads; nothing to restore/);
    // The generation is one write behind: the restore names the change the journal holds after it.
    assert.match(
      r.stdout,
      new RegExp(`journal holds 1 change\\(s\\) made after it; redo them:\\n\\s+visit ${visitId}: submitted`),
    );
    assert.match(r.stdout, /state\.json: restored from state\.json\.prev/);
    assert.deepEqual(readFileSync(join(dataDir, 'state.json')), good.get('state.json.prev'));
    const kept = readdirSync(dataDir).filter((n) => n.startsWith('state.json.damaged-'));
    assert.equal(kept.length, 1, 'the damaged file is kept beside it');
    assert.equal(readFileSync(join(dataDir, kept[0]!)).length, 0);

    await service.start();
    const token = await service.login();
    const me = await service.request('GET', '/api/auth/me', undefined, token);
    assert.equal(me.status, 200);
    const badges = await service.request('GET', '/api/badges', undefined, token);
    assert.equal((badges.json.badges as unknown[]).length, 1);
    const lost = await service.request('GET', `/api/visits/${visitId}`, undefined, token);
    assert.equal(lost.status, 404, 'the visit was the write after the generation, as the restore said');
    await service.kill9();
  });

  it('a damaged door.json stops the start too, and is restored from door.json.prev', () => {
    const doorGood = readFileSync(join(dataDir, 'door.json'));
    writeFileSync(join(dataDir, 'door.json'), '{"mode":"party","occupancy":[]}');
    const stderr = refusedStart();
    assert.match(stderr, /door\.json: mode must be one of \["normal","lockdown","emergency_release"\]/);
    assert.match(stderr, /jurukunci state restore/);
    const r = cli(['state', 'restore']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /door\.json\.prev: reflects journal seq \d+; the door replays events/);
    assert.match(r.stdout, /door\.json: restored from door\.json\.prev/);
    assert.notDeepEqual(readFileSync(join(dataDir, 'door.json')), doorGood);
    assert.ok(existsSync(join(dataDir, 'door.json')));
  });

  it('a configuration file with a syntax error: config_invalid naming the file, line and column; data untouched', () => {
    const config = join(dir, 'jurukunci.json');
    writeFileSync(config, '{\n  "doorId": "server-room",\n  "http": { "port": 8080, }\n}\n');
    const syntax = refusedStart({ JURUKUNCI_CONFIG: config }, ERRORS.config_invalid);
    assert.match(syntax, new RegExp(`${config}: not valid JSON \\(JSON syntax error at line 3, column 27`));
  });
});
