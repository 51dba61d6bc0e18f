/**
 * Fuzzing the bytes that arrive on serial lines (#12 §4), with fast-check, seeded: the bridge's
 * frame parser and message decoders (firmware-bridge/PROTOCOL.md) and the QR scanner's line
 * framing. 10,000 streams each of random bytes, valid frames or lines buried in junk, cut into
 * chunks at random places. Never a throw; nothing buffered past its bound; every genuine frame or
 * line that follows a delimiter comes out whole and in order, whatever junk came before it.
 * On failure fast-check prints the seed and the shrunk stream.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type BridgeFrame, encodeFrame, MAX_PAYLOAD } from '../../src/hardware/bridge/frame.js';
import { BridgeParser, type ParsedEvent } from '../../src/hardware/bridge/parser.js';
import {
  decodeAck,
  decodeCard,
  decodeFault,
  decodeInput,
  decodeMcuHeartbeat,
  decodeMcuHello,
  decodeNack,
} from '../../src/hardware/bridge/protocol.js';
import { ScannerLines, type Terminator } from '../../src/hardware/qr/scanner-lines.js';

const SEED = 1203;
const RUNS = 10_000;

/** Cuts `bytes` at the given (sorted, deduplicated) offsets. */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  return out;
}

const junk = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b));
const frame: fc.Arbitrary<BridgeFrame> = fc.record({
  type: fc.integer({ min: 0, max: 255 }),
  epoch: fc.integer({ min: 0, max: 0xffff }),
  seq: fc.integer({ min: 0, max: 0xffff }),
  payload: fc.uint8Array({ maxLength: MAX_PAYLOAD }).map((b) => Buffer.from(b)),
});

/** The parser is a Transform: feed the chunks synchronously and collect what it pushes. */
function parse(chunks: Buffer[]): ParsedEvent[] {
  const p = new BridgeParser();
  const out: ParsedEvent[] = [];
  p.on('data', (e: ParsedEvent) => out.push(e));
  for (const c of chunks) p.write(c);
  return out;
}

const DECODERS = [
  decodeAck,
  decodeCard,
  decodeFault,
  decodeInput,
  decodeMcuHeartbeat,
  decodeMcuHello,
  decodeNack,
];

describe('fuzz: bytes on the serial lines', function () {
  this.timeout(120_000);

  it(`bridge: ${RUNS.toLocaleString('en')} streams of frames in junk, cut anywhere: every frame out whole and in order`, async () => {
    let genuine = 0;
    let drops = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(junk, frame), { maxLength: 6 }),
        junk,
        fc.array(fc.nat(4_000), { maxLength: 12 }),
        async (pieces, tail, cuts) => {
          const stream = Buffer.concat([...pieces.flatMap(([j, f]) => [j, encodeFrame(f)]), tail]);
          const out = parse(chunked(stream, cuts));
          await new Promise((r) => setImmediate(r));
          const frames = out.flatMap((e) => (e.kind === 'frame' ? [e.frame] : []));
          drops += out.length - frames.length;
          // Each genuine frame starts with its own 0x00, so junk before it can never swallow it;
          // junk can (rarely) pass a CRC-16 by chance, so extra frames may appear between them.
          let i = 0;
          for (const [, f] of pieces) {
            while (i < frames.length && !same(frames[i]!, f)) i++;
            assert.ok(i < frames.length, `frame ${JSON.stringify(f)} lost`);
            i++;
            genuine++;
          }
          for (const f of frames) {
            assert.ok(f.payload.length <= MAX_PAYLOAD);
            // The message decoders take any payload: an object or null, never a throw.
            for (const d of DECODERS) d(f.payload);
          }
        },
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    assert.ok(genuine > RUNS, `only ${genuine} genuine frames generated`);
    assert.ok(drops > 0, 'the junk was dropped, and counted as drops');
  });

  it(`bridge decoders: ${RUNS.toLocaleString('en')} random payloads, never a throw`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        for (const d of DECODERS) d(Buffer.from(b));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`QR scanner: ${RUNS.toLocaleString('en')} streams of lines in junk, cut anywhere: good lines out whole, bounded`, () => {
    const printable = fc.string({ minLength: 1, maxLength: 60, unit: fc.constantFrom(...'ABCXYZ0189.-_:') });
    fc.assert(
      fc.property(
        fc.constantFrom<Terminator>('cr', 'lf', 'crlf', 'any'),
        fc.integer({ min: 60, max: 200 }),
        fc.array(fc.tuple(junk, printable), { maxLength: 6 }),
        fc.array(fc.nat(4_000), { maxLength: 12 }),
        (term, maxLength, pieces, cuts) => {
          const end = term === 'cr' ? '\r' : term === 'lf' ? '\n' : '\r\n';
          // Junk ends with a terminator before each genuine line (a scanner resynchronising).
          const stream = Buffer.concat(
            pieces.flatMap(([j, line]) => [j, Buffer.from(`${end}${line}${end}`, 'latin1')]),
          );
          const s = new ScannerLines(term, maxLength);
          const lines = chunked(stream, cuts).flatMap((c) => s.push(c));
          for (const l of lines) {
            assert.ok(l.length > 0 && l.length <= maxLength);
            assert.match(l, /^[\x20-\x7e]+$/);
          }
          let i = 0;
          for (const [, line] of pieces) {
            while (i < lines.length && lines[i] !== line) i++;
            assert.ok(i < lines.length, `${term}: line ${line} lost`);
            i++;
          }
          assert.equal(s.stats.lines, lines.length);
        },
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });
});

function same(a: BridgeFrame, b: BridgeFrame): boolean {
  return a.type === b.type && a.epoch === b.epoch && a.seq === b.seq && a.payload.equals(b.payload);
}
