#!/usr/bin/env node
/**
 * jurukunci command line:
 *   start [--config FILE]            run the door controller
 *   demo                             tell the whole procedure on simulated hardware, then verify
 *   user add --role R --username U --name N [--escort] [--password-stdin]
 *   config check FILE                validate a configuration file, listing every error
 *   config env                       list every environment override
 *   verify-journal DIR [--anchor SEQ:HASH] [--public-key FILE]
 *                                    check the hash chain (DIR: the data or the journal directory);
 *                                    non-zero with the first bad seq if broken, or when DIR holds no journal;
 *                                    against an anchor kept elsewhere, and checkpoint signatures (the key:
 *                                    FILE, else DIR's keys/journal-signing.pub)
 *   keys rotate [--config FILE]      new NFC master key version for enrolment (service stopped)
 *   state restore [--config FILE] [--dry-run]
 *                                    put back the previous generation of a damaged state.json or
 *                                    door.json after checking it against the journal (service stopped)
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Runtime } from '../app.js';
import { ConfigError, envName, loadConfig } from '../config/load.js';
import { configSchema } from '../config/schema.js';
import { ERRORS } from '../domain/errors.js';
import type { Role } from '../domain/types.js';
import { SystemdNotifier } from '../sd-notify.js';
import { rotateNfcKeys } from '../services/credential-keys-service.js';
import { type StatusInput, statusLine } from '../status-line.js';
import { CHECKPOINT_PUBLIC_KEY_FILE, readPublicKey } from '../store/checkpoint-signer.js';
import { findJournalDir } from '../store/journal-segments.js';
import { parseAnchor, verifyJournal } from '../store/journal-verify.js';
import { takeLock, withServiceStopped } from './data-lock.js';
import { runDemo } from './demo.js';
import { restoreState } from './state-restore.js';
import { COMMANDS, overview, VERIFY_USAGE } from './usage.js';

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function readPassword(fromStdin: boolean): Promise<string> {
  const rl = createInterface({
    input: process.stdin,
    output: process.stderr,
    terminal: !fromStdin && process.stdin.isTTY,
  });
  const ask = (q: string) =>
    new Promise<string>((res) => {
      if (fromStdin || !process.stdin.isTTY) {
        rl.once('line', res);
        return;
      }
      process.stderr.write(q);
      // Hide what is typed.
      const out = rl as unknown as { _writeToOutput: (s: string) => void };
      out._writeToOutput = () => undefined;
      rl.question('', (a) => {
        process.stderr.write('\n');
        res(a);
      });
    });
  try {
    const pw = await ask('Kata sandi / Password: ');
    if (!fromStdin && process.stdin.isTTY) {
      const again = await ask('Ulangi / Repeat: ');
      if (again !== pw) throw new Error('passwords do not match');
    }
    return pw;
  } finally {
    rl.close();
  }
}

async function cmdStart(args: string[]): Promise<number> {
  const config = loadConfig({ file: arg(args, '--config') });
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const release = takeLock(dataDir);
  const rt = new Runtime({
    config,
    announceSetupToken: (t) => {
      // The one place a secret is printed: the operator at the console needs it once.
      process.stdout.write(
        `\n  Belum ada pengguna. / No users yet.\n  Create the first superadmin:  jurukunci user add --role superadmin --username NAME --name "Full Name"\n  or POST /api/setup with token: ${t}\n\n`,
      );
    },
    announceBrokerLogin: (l, url) => {
      // Shown once, when made: the dashboard's read-only login to the embedded broker.
      process.stdout.write(
        `\n  MQTT dashboard login (read-only, shown once; kept in <dataDir>/keys/mqtt-broker.json):\n  broker: ${url}  username: ${l.username}  password: ${l.password}\n\n`,
      );
    },
  });
  const notifier = new SystemdNotifier({
    onError: (err) => rt.logger.warn({ err }, 'systemd notification failed'),
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    notifier.stopping();
    // Whatever hangs or throws on the way down (a dead stdout pipe, a vanished data dir), the
    // process ends: a door controller that ignores SIGTERM blocks its own restart.
    setTimeout(() => process.exit(1), 8000).unref();
    let code = 0;
    try {
      rt.logger.info({ signal }, 'stopping');
      await rt.stop();
    } catch {
      code = 1;
    } finally {
      release();
      process.exit(code);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  try {
    await rt.start();
  } catch (err) {
    release();
    throw err;
  }
  rt.logger.info(
    { address: rt.address(), readyMs: Math.round(rt.readyMs), door: config.doorId },
    'jurukunci ready',
  );
  const summary = () => {
    const h = rt.health();
    return statusLine({
      doorId: config.doorId,
      door: h.door as StatusInput['door'],
      modules: h.modules,
      journalOk: h.journal.ok,
    });
  };
  let status = summary();
  notifier.ready(`${status}; http ${rt.address() ?? 'off'}`);
  // systemctl status shows what the door is doing now: re-sent when the summary changes.
  if (notifier.enabled)
    setInterval(() => {
      const next = summary();
      if (next === status) return;
      status = next;
      notifier.status(status);
    }, 5_000).unref();
  return new Promise<number>(() => undefined);
}

async function cmdUserAdd(args: string[]): Promise<number> {
  const role = arg(args, '--role') as Role | undefined;
  const username = arg(args, '--username');
  const name = arg(args, '--name') ?? username;
  if (!role || !['admin', 'superadmin'].includes(role) || !username || !name) {
    process.stderr.write(
      'usage: jurukunci user add --role admin|superadmin --username U --name "Full Name" [--escort] [--password-stdin] [--config FILE]\n',
    );
    return 2;
  }
  const config = loadConfig({ file: arg(args, '--config') });
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 }); // takeLock writes its pid file there
  return withServiceStopped(dataDir, 'add users through the API (POST /api/users)', async () => {
    const rt = new Runtime({ config, listen: false });
    try {
      await rt.store.start();
      rt.journal.start();
      const password = await readPassword(args.includes('--password-stdin'));
      const user = await rt.users.create(
        { username, displayName: name, role, escort: args.includes('--escort'), password },
        { id: 'cli', role: 'superadmin', name: 'jurukunci user add' },
      );
      process.stdout.write(
        `created ${user.role} '${user.username}' (${user.id})${user.escort ? ', escort' : ''}\n`,
      );
      return 0;
    } finally {
      rt.journal.stop();
    }
  });
}

function cmdConfigCheck(args: string[]): number {
  const file = args[0];
  if (!file) {
    process.stderr.write('usage: jurukunci config check FILE\n');
    return 2;
  }
  try {
    const c = loadConfig({ file, env: {} });
    process.stdout.write(
      `${file}: ok (door '${c.doorId}', ${c.readers.length} readers, hardware '${c.hardware.driver}')\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${file}: ${err.errors.length} error(s)\n`);
      for (const e of err.errors) process.stderr.write(`  ${e}\n`);
      return 1;
    }
    throw err;
  }
}

function cmdConfigEnv(): number {
  type Node = { type?: string; properties?: Record<string, Node>; description?: string; default?: unknown };
  const walk = (n: Node, path: string[]) => {
    if (n.type === 'object' && n.properties) {
      for (const [k, c] of Object.entries(n.properties)) walk(c, [...path, k]);
      return;
    }
    process.stdout.write(
      `${envName(path).padEnd(48)} ${path.join('.')} (default ${JSON.stringify(n.default)})\n`,
    );
  };
  walk(configSchema as unknown as Node, []);
  return 0;
}

function cmdVerify(args: string[]): number {
  let dir: string | undefined;
  let anchorText: string | undefined;
  let keyFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--anchor') anchorText = args[++i];
    else if (a === '--public-key') keyFile = args[++i];
    else if (!a.startsWith('--') && dir === undefined) dir = a;
    else {
      process.stderr.write(VERIFY_USAGE);
      return 2;
    }
  }
  const anchor = anchorText === undefined ? undefined : parseAnchor(anchorText);
  const missing = (flag: string, value: string | undefined) => args.includes(flag) && value === undefined;
  if (!dir || anchor === null || missing('--anchor', anchorText) || missing('--public-key', keyFile)) {
    process.stderr.write(VERIFY_USAGE);
    return 2;
  }
  const jdir = findJournalDir(resolve(dir));
  if (jdir === null) {
    // Not "ok: 0 events": a wrong path must not pass for an empty, intact journal.
    const e = ERRORS.journal_not_found;
    process.stderr.write(`${dir}: ${e.id} / ${e.en}\n`);
    return 1;
  }
  // The data dir's own key when none is named: keys/ beside journal/.
  const keyPath = keyFile ? resolve(keyFile) : join(dirname(jdir), 'keys', CHECKPOINT_PUBLIC_KEY_FILE);
  let publicKey: ReturnType<typeof readPublicKey>;
  try {
    publicKey = readPublicKey(keyPath);
  } catch (err) {
    process.stderr.write(`${keyPath}: not a public key (${(err as Error).message})\n`);
    return 2;
  }
  if (keyFile && !publicKey) {
    process.stderr.write(`${keyFile}: no such file\n`);
    return 2;
  }
  const r = verifyJournal(jdir, { anchor, publicKey });
  const extras = [
    r.checkpoints.count
      ? `${r.checkpoints.count} checkpoint(s), ${publicKey ? `${r.checkpoints.verified} signature(s) verified` : 'signatures NOT checked (no public key)'}`
      : '',
    r.anchor === 'match' ? `anchor seq ${anchor?.seq} matches` : '',
    r.anchor === 'pruned'
      ? `anchor seq ${anchor?.seq} is older than the journal's start (pruned): not checked`
      : '',
  ].filter(Boolean);
  if (r.ok && extras.length) {
    process.stdout.write(`${extras.join('; ')}\n`);
  }
  if (r.ok) {
    process.stdout.write(
      `journal ok: ${r.events} events in ${r.files} file(s), last seq ${r.lastSeq} (${jdir})${r.legacyEvents ? `; the first ${r.legacyEvents} with the older v1 hash` : ''}\n`,
    );
    return 0;
  }
  const b = r.firstBad!;
  const e = ERRORS.journal_broken;
  process.stderr.write(
    `journal BROKEN at seq ${b.seq ?? '?'}: ${b.problem} (${b.file} line ${b.line}); ${r.events} events verified before it\n  ${e.id} / ${e.en}\n`,
  );
  return 1;
}

/**
 * Adds an NFC master key version and makes it the enrolment version. With the service stopped (it
 * reads the key file at start); cards on older versions keep opening until re-keyed.
 */
function cmdKeysRotate(args: string[]): Promise<number> {
  const config = loadConfig({ file: arg(args, '--config') });
  const dataDir = resolve(config.dataDir);
  return withServiceStopped(dataDir, 'stop it to rotate the key', () => {
    const { version, previous } = rotateNfcKeys(dataDir, () => new Date());
    process.stdout.write(
      `NFC master key v${version} is now the enrolment version (was v${previous}); badges on v${previous} stay valid until re-keyed (GET /api/badges shows them as stale)\n`,
    );
    return 0;
  });
}

function cmdStateRestore(args: string[]): Promise<number> {
  const config = loadConfig({ file: arg(args, '--config') });
  const dataDir = resolve(config.dataDir);
  return withServiceStopped(dataDir, 'stop it to restore its files', () =>
    restoreState({
      dataDir,
      dryRun: args.includes('--dry-run'),
      now: () => new Date(),
      out: (l) => process.stdout.write(`${l}\n`),
      err: (l) => process.stderr.write(`${l}\n`),
    }),
  );
}

const RUN: Record<string, (args: string[]) => number | Promise<number>> = {
  start: cmdStart,
  demo: () => runDemo(),
  'user add': cmdUserAdd,
  'config check': cmdConfigCheck,
  'config env': () => cmdConfigEnv(),
  'verify-journal': cmdVerify,
  'keys rotate': cmdKeysRotate,
  'state restore': cmdStateRestore,
};

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process[argv.length === 0 ? 'stderr' : 'stdout'].write(overview());
    return argv.length === 0 ? 2 : 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ''}`;
  const name = COMMANDS[two] ? two : COMMANDS[argv[0]!] ? argv[0]! : null;
  if (!name) {
    process.stderr.write(`jurukunci: unknown command '${argv.slice(0, 2).join(' ')}'\n\n${overview()}`);
    return 2;
  }
  const spec = COMMANDS[name]!;
  const rest = argv.slice(name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${spec.summary}\n\nusage: ${spec.usage}\n`);
    return 0;
  }
  try {
    const parsed = parseArgs({ args: rest, options: spec.options, allowPositionals: true, strict: true });
    if (parsed.positionals.length > (spec.positionals ?? 0)) {
      throw new Error(`unexpected argument '${parsed.positionals[spec.positionals ?? 0]}'`);
    }
  } catch (err) {
    process.stderr.write(`jurukunci ${name}: ${(err as Error).message}\nusage: ${spec.usage}\n`);
    return 2;
  }
  return RUN[name]!(rest);
}

// `jurukunci config env | head`: a reader that goes away is not an error worth a stack trace.
// Not for `start`: the door must keep running when its log pipe breaks (the logger ignores EPIPE).
if (process.argv[2] !== 'start') {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      const e = ERRORS.config_invalid;
      process.stderr.write(`${err.message}\n  ${e.id} / ${e.en}\n`);
      process.exitCode = 1;
      return;
    }
    // A clear line, not a stack trace (JURUKUNCI_DEBUG=1 shows the stack).
    const e = err as NodeJS.ErrnoException;
    const what =
      e.code === 'ENOENT' || e.code === 'ENOTDIR' || e.code === 'EACCES' || e.code === 'EISDIR'
        ? `${e.code}: ${e.path ?? e.message}`
        : (e.message ?? String(err));
    process.stderr.write(`jurukunci: ${what}\n`);
    if (process.env.JURUKUNCI_DEBUG) process.stderr.write(`${e.stack ?? ''}\n`);
    process.exitCode = 1;
  },
);
