/**
 * The installer, run into a --root prefix (no real Pi, no systemd managing that tree): systemctl
 * and npm are recording stubs first on PATH; useradd/groupadd (--prefix), mosquitto_passwd and
 * node are the real ones. Then Debian's Mosquitto is started on the broker config and ACL the
 * installer wrote, to show what they allow.
 *
 * What this proves: the files, users, groups, modes, owners and unit it leaves; idempotence;
 * uninstall keeping data and purge removing it; the broker's users and ACL. What only a real Pi
 * proves: apt-get installing the packages, systemd starting the unit under its sandbox with the
 * GPIO and serial devices, and Mosquitto's Debian service picking up conf.d.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { connect } from 'mqtt';
import { freePort } from '../fixtures/mosquitto.js';

const run = promisify(execFile);
const REPO = resolve('.');

describe('systemd/install.sh into a --root prefix', function () {
  this.timeout(120_000);
  let dir: string;
  let root: string;
  let log: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jk-install-'));
    root = join(dir, 'root');
    log = join(dir, 'calls.log');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nmosquitto:x:120:\n');
    writeFileSync(join(root, 'etc/shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o600 });
    writeFileSync(join(root, 'etc/gshadow'), 'root:*::\nmosquitto:!::\n', { mode: 0o600 });
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\necho "systemctl $*" >> "${log}"\n`);
    // npm ci --omit=dev in the app dir: the repository's own node_modules stand in for it.
    writeFileSync(
      join(bin, 'npm'),
      `#!/bin/sh\necho "npm $*" >> "${log}"\ncase " $* " in *" ci "*) [ -e node_modules ] || ln -s "${REPO}/node_modules" node_modules;; esac\n`,
    );
    chmodSync(join(bin, 'systemctl'), 0o755);
    chmodSync(join(bin, 'npm'), 0o755);
    env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, JURUKUNCI_INSTALL_SYSTEMCTL: 'systemctl' };
    if (!existsSync('dist/cli/main.js')) await run('npm', ['run', 'build', '--silent'], { cwd: REPO });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const install = (...args: string[]) =>
    run('bash', ['systemd/install.sh', '--root', root, ...args], { env, cwd: REPO });
  // `npm run build` may run whenever the checkout's sources are newer than its dist/ (it changes
  // nothing installed); what must not happen twice is an install or a restart.
  const calls = () =>
    (existsSync(log) ? readFileSync(log, 'utf8') : '')
      .split('\n')
      .filter((l) => l && !l.startsWith('npm run build'))
      .map((l) => `${l}\n`)
      .join('');
  const mode = (p: string) => (statSync(join(root, p)).mode & 0o777).toString(8);
  const owner = (p: string) => {
    const s = statSync(join(root, p));
    return `${s.uid}:${s.gid}`;
  };
  const idOf = (file: string, name: string) =>
    readFileSync(join(root, 'etc', file), 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`))
      ?.split(':')[2];

  it('installs the app, a system user, the hardened unit, the config and the broker setup', async () => {
    const { stdout } = await install();
    assert.match(stdout, /done \(\d+ changes\)/);
    const uid = idOf('passwd', 'jurukunci');
    const gid = idOf('group', 'jurukunci');
    assert.ok(uid && gid, 'jurukunci user and group');
    assert.match(
      readFileSync(join(root, 'etc/passwd'), 'utf8'),
      /^jurukunci:x:\d+:\d+::\/var\/lib\/jurukunci:\/usr\/sbin\/nologin$/m,
    );
    assert.match(readFileSync(join(root, 'etc/group'), 'utf8'), /^gpio:x:\d+:jurukunci$/m);
    assert.equal(
      readFileSync(join(root, 'etc/systemd/system/jurukunci.service'), 'utf8'),
      readFileSync('systemd/jurukunci.service', 'utf8'),
    );
    assert.ok(existsSync(join(root, 'opt/jurukunci/dist/cli/main.js')));
    assert.equal(mode('etc/jurukunci'), '750');
    assert.equal(owner('etc/jurukunci'), `0:${gid}`);
    assert.equal(mode('etc/jurukunci/config.json'), '640');
    assert.equal(mode('var/lib/jurukunci'), '700');
    assert.equal(owner('var/lib/jurukunci'), `${uid}:${gid}`);
    assert.equal(mode('etc/jurukunci/dashboard-mqtt.txt'), '600');
    const cfg = JSON.parse(readFileSync(join(root, 'etc/jurukunci/config.json'), 'utf8'));
    assert.equal(cfg.dataDir, '/var/lib/jurukunci');
    assert.equal(cfg.mqtt.url, 'mqtt://127.0.0.1:1883');
    assert.equal(cfg.mqtt.username, 'jurukunci-door');
    assert.ok(cfg.mqtt.password.length >= 24);
    assert.equal(owner('etc/mosquitto/jurukunci.passwd'), `0:${idOf('group', 'mosquitto')}`);
    assert.match(calls(), /npm ci --omit=dev/);
    assert.match(
      calls(),
      /systemctl daemon-reload\nsystemctl enable jurukunci.service\nsystemctl restart jurukunci.service/,
    );
    // The config it wrote passes the service's own check.
    await run('node', ['dist/cli/main.js', 'config', 'check', join(root, 'etc/jurukunci/config.json')]);
  });

  it('changes nothing on a second run, and says so', async () => {
    const before = calls();
    const { stdout } = await install();
    assert.match(stdout, /nothing to change/);
    assert.equal(calls(), before, 'no systemctl or npm call');
  });

  it('keeps an edited config on upgrade and refuses to restart on one that does not validate', async () => {
    const file = join(root, 'etc/jurukunci/config.json');
    const cfg = JSON.parse(readFileSync(file, 'utf8'));
    cfg.door = { ...cfg.door, unlockSeconds: 7 };
    writeFileSync(file, JSON.stringify(cfg));
    await install();
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).door.unlockSeconds, 7);
    writeFileSync(file, JSON.stringify({ ...cfg, door: { unlockSeconds: 'seven' } }));
    const before = calls();
    await assert.rejects(install(), (err: { stdout: string }) => /config check failed/.test(err.stdout));
    assert.equal(calls(), before, 'no restart with a bad config');
    writeFileSync(file, JSON.stringify(cfg));
  });

  it('configures Mosquitto with no anonymous clients and an ACL: the door its own topics, the dashboard reads', async () => {
    const conf = readFileSync(join(root, 'etc/mosquitto/conf.d/jurukunci.conf'), 'utf8');
    const cfg = JSON.parse(readFileSync(join(root, 'etc/jurukunci/config.json'), 'utf8'));
    const dash = /password: (\S+)/.exec(
      readFileSync(join(root, 'etc/jurukunci/dashboard-mqtt.txt'), 'utf8'),
    )![1]!;
    const port = await freePort();
    const live = join(dir, 'mosquitto.conf');
    writeFileSync(
      live,
      `${conf
        .replaceAll('/etc/mosquitto/', `${root}/etc/mosquitto/`)
        .replace(/^listener 1883$/m, `listener ${port} 127.0.0.1`)
        .replace(
          /^persistence true$/m,
          'persistence false',
        )}\n${process.getuid?.() === 0 ? 'user root\n' : ''}`,
    );
    const broker = spawn('mosquitto', ['-c', live], { stdio: 'ignore' });
    const url = `mqtt://127.0.0.1:${port}`;
    const client = async (opts: { username?: string; password?: string }) => {
      for (let i = 0; i < 50; i++) {
        const c = connect(url, { ...opts, reconnectPeriod: 0, connectTimeout: 2000 });
        const r = await new Promise<Error | null>((res) => {
          c.once('connect', () => res(null));
          c.once('error', (e) => res(e));
        });
        if (!r) return c;
        c.end(true);
        if (!/ECONNREFUSED/.test(r.message)) throw r;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('broker did not start');
    };
    try {
      await assert.rejects(client({}), /Not authorized|Bad username/i);
      const door = await client({ username: 'jurukunci-door', password: cfg.mqtt.password });
      const dashboard = await client({ username: 'jurukunci-dashboard', password: dash });
      const seen: string[] = [];
      dashboard.on('message', (t) => seen.push(t));
      await dashboard.subscribeAsync('#', { qos: 1 });
      await door.publishAsync('jurukunci/server-room/events/access.granted', 'door', { qos: 1 });
      // Refused by the ACL (the broker acknowledges and drops): events forged by the dashboard,
      // and anything the door publishes outside its own tree.
      await dashboard.publishAsync('jurukunci/server-room/events/access.granted', 'forged', { qos: 1 });
      await door.publishAsync('elsewhere/x', 'stray', { qos: 1 });
      await dashboard.publishAsync('jurukunci/server-room/request/state', '{}', { qos: 1 });
      await door.publishAsync('jurukunci/server-room/events/door.locked', 'marker', { qos: 1 });
      for (let i = 0; i < 100 && !seen.includes('jurukunci/server-room/events/door.locked'); i++)
        await new Promise((res) => setTimeout(res, 20));
      assert.deepEqual(seen, [
        'jurukunci/server-room/events/access.granted',
        'jurukunci/server-room/request/state',
        'jurukunci/server-room/events/door.locked',
      ]);
      await door.endAsync(true);
      await dashboard.endAsync(true);
    } finally {
      broker.kill('SIGKILL');
    }
  });

  it('uninstalls keeping config and data, and --purge removes them and the user', async () => {
    writeFileSync(join(root, 'var/lib/jurukunci/state.json'), '{}');
    const { stdout } = await install('--uninstall');
    assert.match(stdout, /kept \/etc\/jurukunci and \/var\/lib\/jurukunci/);
    assert.ok(!existsSync(join(root, 'etc/systemd/system/jurukunci.service')));
    assert.ok(!existsSync(join(root, 'opt/jurukunci')));
    assert.ok(existsSync(join(root, 'var/lib/jurukunci/state.json')));
    assert.match(calls(), /systemctl disable --now jurukunci.service/);
    await install('--uninstall', '--purge');
    assert.ok(!existsSync(join(root, 'var/lib/jurukunci')));
    assert.ok(!existsSync(join(root, 'etc/jurukunci')));
    assert.equal(idOf('passwd', 'jurukunci'), undefined);
  });
});
