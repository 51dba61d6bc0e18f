/**
 * The TypeScript framing trio against the golden vectors (firmware-bridge/vectors/frames.json),
 * the same file the firmware's host tests read byte for byte.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeFrame, encodeFrame, MAX_PAYLOAD } from '../../../src/hardware/bridge/frame.js';
import { BridgeParser, type ParsedEvent } from '../../../src/hardware/bridge/parser.js';
import {
  decodeAck,
  decodeCard,
  decodeFault,
  decodeInput,
  decodeMcuHello,
  decodeNack,
  encodeHostHello,
  encodeRelay,
  encodeResetFault,
} from '../../../src/hardware/bridge/protocol.js';
import { BridgeWriter } from '../../../src/hardware/bridge/writer.js';

interface VectorFrame {
  name: string;
  type: number;
  epoch: number;
  seq: number;
  payload: string;
  wire: string;
  message: Record<string, unknown> & { kind: string };
}
type VectorEvent =
  | { kind: 'frame'; type: number; epoch: number; seq: number; payload: string }
  | { kind: 'drop'; reason: string };
interface Vectors {
  maxPayload: number;
  frames: VectorFrame[];
  streams: { name: string; chunks: string[]; events: VectorEvent[] }[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../firmware-bridge/vectors/frames.json', import.meta.url), 'utf8'),
) as Vectors;

function simplify(e: ParsedEvent): VectorEvent {
  if (e.kind === 'drop') return e;
  const { type, epoch, seq, payload } = e.frame;
  return { kind: 'frame', type, epoch, seq, payload: payload.toString('hex') };
}

async function parseChunks(chunks: Buffer[]): Promise<VectorEvent[]> {
  const parser = new BridgeParser();
  const out: VectorEvent[] = [];
  parser.on('data', (e: ParsedEvent) => out.push(simplify(e)));
  for (const c of chunks) parser.write(c);
  await new Promise<void>((resolve) => parser.end(resolve));
  return out;
}

describe('bridge framing (golden vectors)', () => {
  it('has the firmware payload limit', () => {
    assert.equal(vectors.maxPayload, MAX_PAYLOAD);
  });

  for (const v of vectors.frames) {
    it(`encodes and decodes: ${v.name}`, () => {
      const frame = { type: v.type, epoch: v.epoch, seq: v.seq, payload: Buffer.from(v.payload, 'hex') };
      assert.equal(encodeFrame(frame).toString('hex'), v.wire);
      const wire = Buffer.from(v.wire, 'hex');
      assert.deepEqual(decodeFrame(wire.subarray(1, -1)), frame);
    });
  }

  for (const s of vectors.streams) {
    it(`parses a stream: ${s.name}`, async () => {
      const events = await parseChunks(s.chunks.map((c) => Buffer.from(c, 'hex')));
      assert.deepEqual(events, s.events);
    });
  }

  it('writes frames as the wire bytes', async () => {
    const writer = new BridgeWriter();
    const got: Buffer[] = [];
    writer.on('data', (b: Buffer) => got.push(b));
    const v = vectors.frames[2]!;
    writer.writeFrame({ type: v.type, epoch: v.epoch, seq: v.seq, payload: Buffer.from(v.payload, 'hex') });
    await new Promise((r) => setImmediate(r));
    assert.equal(Buffer.concat(got).toString('hex'), v.wire);
  });

  it('refuses a payload over the limit', () => {
    assert.throws(() => encodeFrame({ type: 2, epoch: 0, seq: 0, payload: Buffer.alloc(MAX_PAYLOAD + 1) }));
  });
});

describe('bridge messages (golden vectors)', () => {
  const byKind = (kind: string) => vectors.frames.find((f) => f.message.kind === kind)!;
  const payload = (kind: string) => Buffer.from(byKind(kind).payload, 'hex');
  const msg = (kind: string) => {
    const { kind: _k, ...rest } = byKind(kind).message;
    return rest;
  };

  it('encodes the host HELLO, RELAY and RESET_FAULT', () => {
    const h = msg('hello-host') as {
      heartbeatTimeoutMs: number;
      maxPulseMs: number;
      rexPulseMs: number;
      rexMode: number;
    };
    assert.equal(encodeHostHello(h).toString('hex'), byKind('hello-host').payload);
    const r = msg('relay') as { mode: number; ms: number };
    assert.equal(encodeRelay(r.mode, r.ms).toString('hex'), byKind('relay').payload);
    assert.equal(encodeResetFault(255).toString('hex'), byKind('reset-fault').payload);
  });

  it('decodes the MCU messages', () => {
    assert.deepEqual(decodeMcuHello(payload('hello-mcu')), msg('hello-mcu'));
    assert.deepEqual(decodeAck(payload('ack')), msg('ack'));
    assert.deepEqual(decodeNack(payload('nack')), { refSeq: 2, reason: 'replay' });
    const { raw, ...card } = decodeCard(payload('card'))!;
    const want = msg('card') as { raw: string; format: number; status: number };
    assert.deepEqual(card, { bits: 26, format: 'H10301', status: 'ok', facility: 123, card: 4567 });
    assert.equal(raw.toString('hex'), want.raw);
    assert.deepEqual(decodeInput(payload('input')), { input: 1, active: true, atMs: 123456, all: 2 });
    assert.deepEqual(decodeFault(payload('fault')), msg('fault'));
  });
});
