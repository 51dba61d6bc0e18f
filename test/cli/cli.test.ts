/** The command line a user meets first (#12 §6): usage, --help, unknown flags, broken pipes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (args: string[], opts: { shell?: string } = {}) => {
  if (!existsSync('dist/cli/main.js')) spawnSync('npm', ['run', 'build', '--silent']);
  return opts.shell
    ? spawnSync('sh', ['-c', opts.shell], { encoding: 'utf8' })
    : spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8' });
};

describe('jurukunci command line', function () {
  this.timeout(60_000);

  it('--help lists every command; each command has its own --help', () => {
    const all = run(['--help']);
    assert.equal(all.status, 0);
    for (const c of [
      'start',
      'demo',
      'user add',
      'config check',
      'config env',
      'verify-journal',
      'keys rotate',
    ])
      assert.match(all.stdout, new RegExp(`^  ${c} `, 'm'), c);
    const one = run(['verify-journal', '--help']);
    assert.equal(one.status, 0);
    assert.match(one.stdout, /usage: jurukunci verify-journal DIR \[--anchor SEQ:HASH\]/);
  });

  it('an unknown command or flag is an error with the usage, exit 2, no stack trace', () => {
    for (const args of [['frob'], ['start', '--bogus'], ['config', 'check', 'a.json', 'b.json']]) {
      const r = run(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /usage: jurukunci/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('`config env | head -1` ends quietly when the pipe closes', () => {
    const r = run([], { shell: `${process.execPath} dist/cli/main.js config env | head -1` });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^JURUKUNCI_/);
    assert.equal(r.stderr, '');
  });

  it('verify-journal on a file is a clear message, not ENOTDIR with a stack', () => {
    const r = run(['verify-journal', 'package.json']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /No journal in this directory/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
