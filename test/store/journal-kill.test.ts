/**
 * Durability after a kill (issue #12 §5, appends with fdatasync): a child process appends and says
 * each seq once append() has returned; it is killed with SIGKILL mid-stream. Every seq it
 * acknowledged is in the journal on restart, the chain verifies, and appends continue the chain.
 * (A kill keeps the page cache; what fdatasync adds over it, surviving a power cut, needs a real
 * power cut: the syscall itself is checked in journal.test.ts.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uncheckedEvent } from '../../src/domain/events.js';
import { Journal } from '../../src/store/journal.js';
import { verifyJournal } from '../../src/store/journal-verify.js';
import { until } from '../fixtures/wait.js';

const CHILD = `
import { Journal } from './src/store/journal.ts';
import { uncheckedEvent } from './src/domain/events.ts';
const j = new Journal({ dir: process.argv[1], door: 'd', maxFileBytes: 4096 });
j.start();
for (let i = 0; ; i++) {
  const e = j.append(uncheckedEvent('door.exit_request', { i }));
  process.stdout.write(e.seq + '\\n');
}
`;

describe('store/journal after a kill -9', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jk-kill-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds every acknowledged append, chain intact, across rotations', async () => {
    const journalDir = join(dir, 'journal');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', CHILD, journalDir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let acked = 0;
    let tail = '';
    child.stdout.on('data', (d: Buffer) => {
      const lines = (tail + d.toString()).split('\n');
      tail = lines.pop() ?? '';
      for (const l of lines) acked = Math.max(acked, Number(l));
    });
    await until(() => acked >= 300, '300 acknowledged appends', 45_000);
    await new Promise((r) => {
      child.once('exit', r);
      child.kill('SIGKILL');
    });
    const seen = acked; // the child may have acknowledged more than we read: at least these
    const j = new Journal({ dir: journalDir, door: 'd', maxFileBytes: 4096 });
    j.start();
    assert.ok(j.seq >= seen, `journal holds seq ${j.seq}, ${seen} acknowledged`);
    const next = j.append(uncheckedEvent('door.exit_request', { after: 'restart' }));
    assert.equal(next.seq, j.seq);
    j.stop();
    const v = verifyJournal(journalDir);
    assert.ok(v.ok, JSON.stringify(v).slice(0, 500));
  });
});
