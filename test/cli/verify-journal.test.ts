/**
 * `jurukunci verify-journal DIR` as a real child process: it takes the data directory or the
 * journal directory, and a directory that holds no journal at all is an error, not "0 events ok".
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uncheckedEvent } from '../../src/domain/events.js';
import { Journal } from '../../src/store/journal.js';
import { listSegments } from '../../src/store/journal-segments.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function verify(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'verify-journal', ...args], {
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

describe('jurukunci verify-journal', function () {
  this.timeout(60_000);
  let data: string;
  let jdir: string;

  beforeEach(() => {
    data = mkdtempSync(join(tmpdir(), 'jk-verify-cli-'));
    jdir = join(data, 'journal');
    const j = new Journal({ dir: jdir, door: 'server-room', maxFileBytes: 4096 });
    j.start();
    for (let i = 0; i < 12; i++) j.append(uncheckedEvent('door.exit_request', { source: 'test', i }));
    j.stop();
    // What else a data directory holds: not journal segments.
    writeFileSync(join(data, 'state.json'), '{}\n');
    mkdirSync(join(data, 'archive'));
    writeFileSync(join(data, 'archive', 'visits-2025-01.jsonl'), '{"id":"v-1"}\n');
  });
  afterEach(() => rmSync(data, { recursive: true, force: true }));

  it('accepts the journal directory', async () => {
    const r = await verify(jdir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /journal ok: 12 events in \d+ file\(s\), last seq 12/);
    assert.ok(r.stdout.includes(`(${jdir})`), 'names the directory it checked');
  });

  it('accepts the data directory and checks its journal/ directory', async () => {
    const r = await verify(data);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /journal ok: 12 events/);
    assert.ok(r.stdout.includes(`(${jdir})`), 'names the journal directory it found');
  });

  it('--anchor SEQ:HASH: agrees, disagrees, stops short; a malformed anchor is a usage error', async () => {
    const evs = listSegments(jdir).flatMap((s) =>
      readFileSync(s.file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { seq: number; hash: string }),
    );
    const good = await verify(data, '--anchor', `5:${evs[4]!.hash}`);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /anchor seq 5 matches/);
    const wrong = await verify(data, '--anchor', `5:${'0'.repeat(64)}`);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /disagrees with the anchor/);
    const short = await verify(data, '--anchor', `40:${'0'.repeat(64)}`);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /stops short of the anchor/);
    assert.equal((await verify(data, '--anchor', 'nonsense')).code, 2);
    assert.equal((await verify(data, '--public-key', join(data, 'nope.pub'))).code, 2);
  });

  it('finds a broken journal through the data directory too', async () => {
    const seg = listSegments(jdir)[0]!;
    const lines = readFileSync(seg.file, 'utf8').split('\n');
    const victim = JSON.parse(lines[1]!) as { seq: number; data: Record<string, unknown> };
    victim.data.source = 'tampered';
    lines[1] = JSON.stringify(victim);
    writeFileSync(seg.file, lines.join('\n'));
    const r = await verify(data);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`BROKEN at seq ${victim.seq}\\b`));
    assert.match(r.stderr, /hash does not match/);
    assert.match(r.stderr, /Rantai hash jurnal rusak/);
  });

  it('exits non-zero with a clear message for a directory that holds no journal at all', async () => {
    for (const wrong of [join(data, 'archive'), join(data, 'missing'), join(data, 'state.json')]) {
      const r = await verify(wrong);
      assert.equal(r.code, 1, wrong);
      assert.equal(r.stdout, '', wrong);
      assert.doesNotMatch(r.stderr, /journal ok|0 events/, wrong);
      assert.ok(r.stderr.startsWith(`${wrong}: `), wrong);
      assert.match(r.stderr, /Tidak ada jurnal/, wrong);
      assert.match(r.stderr, /No journal in this directory/, wrong);
    }
  });

  it('without a directory prints the usage and exits 2', async () => {
    const r = await verify();
    assert.equal(r.code, 2);
    assert.match(r.stderr, /usage: jurukunci verify-journal DIR/);
  });
});
