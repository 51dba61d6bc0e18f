/**
 * The journal against what lies outside it (issue #11 §6): signed checkpoints, a head anchor kept
 * by the dashboard, and retention that says what it pruned. Each attack rewrites the files the way
 * root on the Pi could — with every hash after the edit recomputed, so the chain alone is intact.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JournalEvent, uncheckedEvent } from '../../src/domain/events.js';
import { CHECKPOINT_KEY_FILE, readPublicKey, signCheckpoint } from '../../src/store/checkpoint-signer.js';
import { CheckpointWriter } from '../../src/store/checkpoint-writer.js';
import { Journal } from '../../src/store/journal.js';
import { sealEvent } from '../../src/store/journal-chain.js';
import { pruneJournal } from '../../src/store/journal-retention.js';
import { listSegments } from '../../src/store/journal-segments.js';
import { verifyJournal } from '../../src/store/journal-verify.js';
import { steppingClock } from './journal-helpers.js';

function lines(file: string): JournalEvent[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JournalEvent);
}

/** Writes `evs` back as one segment, re-chaining every event from the first: an intact chain. */
function rewriteRechained(
  file: string,
  evs: JournalEvent[],
  edit: (e: Omit<JournalEvent, 'hash'>) => Omit<JournalEvent, 'hash'> = (e) => e,
): JournalEvent[] {
  let prev = evs[0]!.prev;
  const out: JournalEvent[] = [];
  let text = '';
  evs.forEach((e, i) => {
    const { hash: _h, ...rest } = e;
    const sealed = sealEvent(edit({ ...rest, seq: evs[0]!.seq + i, prev }));
    prev = sealed.event.hash;
    out.push(sealed.event);
    text += sealed.line;
  });
  writeFileSync(file, text);
  return out;
}

describe('store/journal anchors: checkpoints, head anchor, retention', () => {
  let root: string;
  let dir: string;
  let keyDir: string;
  let journal: Journal;
  let writer: CheckpointWriter;

  async function open(maxFileBytes = 1 << 20): Promise<void> {
    journal = new Journal({ dir, door: 'srv-1', maxFileBytes, clock: steppingClock() });
    journal.start();
    writer = new CheckpointWriter({ journal, door: 'srv-1', keyDir, every: 5, minutes: 0 });
    await writer.start();
  }

  function fill(n: number, pad = 0): void {
    for (let i = 0; i < n; i++) journal.append(uncheckedEvent('door.opened', { i, pad: 'p'.repeat(pad) }));
  }

  const publicKey = () => readPublicKey(join(keyDir, 'journal-signing.pub'));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'jk-anchor-'));
    dir = join(root, 'journal');
    keyDir = join(root, 'keys');
  });
  afterEach(async () => {
    await writer?.stop();
    journal?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('writes a signed checkpoint every N events, with a key kept apart (mode 600)', async () => {
    await open();
    fill(12);
    const cps = journal.read(0, 100).filter((e) => e.type === 'journal.checkpoint');
    assert.equal(cps.length, 2);
    assert.equal(cps[0]?.data.seq, 5);
    assert.equal(cps[0]?.data.hash, cps[0]?.prev);
    assert.equal(cps[0]?.data.keyId, writer.keyId);
    assert.equal(statSync(join(keyDir, CHECKPOINT_KEY_FILE)).mode & 0o777, 0o600);
    const v = verifyJournal(dir, { publicKey: publicKey() });
    assert.equal(v.ok, true, JSON.stringify(v.firstBad));
    assert.deepEqual(v.checkpoints, { count: 2, verified: 2 });
  });

  it('writes one every M minutes while events are written', async () => {
    let now = 0;
    journal = new Journal({ dir, door: 'srv-1', maxFileBytes: 1 << 20, clock: steppingClock() });
    journal.start();
    writer = new CheckpointWriter({ journal, door: 'srv-1', keyDir, every: 0, minutes: 10, now: () => now });
    await writer.start();
    fill(2);
    writer.due();
    assert.equal(journal.read(0, 100).filter((e) => e.type === 'journal.checkpoint').length, 0);
    now += 10 * 60_000;
    writer.due();
    assert.equal(journal.read(0, 100).filter((e) => e.type === 'journal.checkpoint').length, 1);
    writer.due(); // nothing written since: no checkpoint of a checkpoint
    assert.equal(journal.read(0, 100).filter((e) => e.type === 'journal.checkpoint').length, 1);
  });

  it('a forged access.granted inserted with every later hash recomputed: the anchor and the checkpoint catch it', async () => {
    await open();
    fill(12);
    const head = journal.head; // the dashboard's retained copy
    journal.stop();
    const file = listSegments(dir)[0]!.file;
    const evs = lines(file);
    const forged = { ...evs[2]!, id: 'forged', type: 'access.granted' as const, data: { by: 'nobody' } };
    rewriteRechained(file, [...evs.slice(0, 3), forged, ...evs.slice(3)]);
    // The chain alone is intact: that is the point of the attack.
    assert.equal(verifyJournal(dir).ok, false, 'the checkpoint no longer names the head before it');
    const byAnchor = verifyJournal(dir, { anchor: head });
    assert.equal(byAnchor.ok, false);
    assert.match(byAnchor.firstBad!.problem, /checkpoint|anchor/);
  });

  it('a rewritten old event with every later hash and the checkpoints recomputed: the signature fails', async () => {
    await open();
    fill(12);
    journal.stop();
    const file = listSegments(dir)[0]!.file;
    const evs = lines(file);
    evs[1] = { ...evs[1]!, data: { ...evs[1]!.data, i: 999 } };
    // Re-chain, then re-point every checkpoint at its new head with a key root could make.
    const attacker = generateKeyPairSync('ed25519').privateKey;
    rewriteRechained(file, evs, (e) =>
      e.type === 'journal.checkpoint'
        ? {
            ...e,
            data: {
              ...e.data,
              hash: e.prev,
              signature: signCheckpoint(attacker, 'srv-1', e.seq - 1, e.prev),
            },
          }
        : e,
    );
    const unsigned = verifyJournal(dir);
    // Without the public key the rewrite passes: the key is what catches it.
    assert.equal(unsigned.ok, true, JSON.stringify(unsigned.firstBad));
    const v = verifyJournal(dir, { publicKey: publicKey() });
    assert.equal(v.ok, false);
    assert.match(v.firstBad!.problem, /signature/);
  });

  it('dropped newest events: the anchor says the journal stops short of it', async () => {
    await open();
    fill(12);
    const head = journal.head;
    journal.stop();
    const file = listSegments(dir)[0]!.file;
    const evs = lines(file);
    writeFileSync(
      file,
      evs
        .slice(0, 8)
        .map((e) => `${JSON.stringify(e)}\n`)
        .join(''),
    );
    assert.equal(verifyJournal(dir).ok, true, 'a shorter journal is a valid chain');
    const v = verifyJournal(dir, { anchor: head });
    assert.equal(v.ok, false);
    assert.match(v.firstBad!.problem, /stops short of the anchor/);
    assert.equal(verifyJournal(dir, { anchor: { seq: 3, hash: evs[2]!.hash } }).anchor, 'match');
    const wrong = verifyJournal(dir, { anchor: { seq: 3, hash: 'a'.repeat(64) } });
    assert.match(wrong.firstBad!.problem, /disagrees with the anchor/);
  });

  it('retention writes journal.pruned before deleting; a missing oldest segment without it is reported', async () => {
    await open(2000);
    fill(30, 60);
    const before = listSegments(dir).length;
    assert.ok(before >= 4);
    const removed = pruneJournal(journal, 2);
    assert.equal(removed.length, before - 2);
    const ev = journal.read(0, 1000).find((e) => e.type === 'journal.pruned');
    assert.ok(ev);
    const first = lines(listSegments(dir)[0]!.file)[0]!;
    assert.equal(ev.data.lastPrunedSeq, first.seq - 1);
    assert.equal(ev.data.lastPrunedHash, first.prev);
    assert.equal(verifyJournal(dir).ok, true, JSON.stringify(verifyJournal(dir).firstBad));

    // Someone deletes the (new) oldest segment without a journal.pruned: reported.
    rmSync(listSegments(dir)[0]!.file);
    const v = verifyJournal(dir);
    assert.equal(v.ok, false);
    assert.match(v.firstBad!.problem, /no journal\.pruned event/);
  });
});
