/**
 * MQTT benchmark, called by the main bench: journal→broker throughput at QoS 1 against a local
 * Mosquitto, side by side with `mosquitto_pub -l -q 1` publishing the same payloads; the time to
 * drain a 100,000-event backlog after an outage; and memory during that drain.
 * Targets (issue #3): ≥ 0.8× mosquitto_pub, drain < 20 s, memory < 150 MB.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { pino } from 'pino';
import { CursorFile } from '../src/mqtt/cursor.js';
import { EventPublisher, messagesFor } from '../src/mqtt/publisher.js';
import { Topics } from '../src/mqtt/topics.js';
import { Journal } from '../src/store/journal.js';
import { Mosquitto } from '../test/fixtures/mosquitto.js';

export interface MqttBenchResult {
  events: number;
  publisherPerSec: number;
  mosquittoPubPerSec: number;
  ratio: number;
  drainSeconds: number;
  peakRssMb: number;
  peakHeapMb: number;
}

async function drain(journal: Journal, dir: string, url: string, cursorName: string, upTo: number) {
  const client = connect(url, { clientId: `bench-${cursorName}`, reconnectPeriod: 0 });
  await new Promise<void>((res, rej) => {
    client.once('connect', () => res());
    client.once('error', rej);
  });
  const cursor = new CursorFile(dir, 50, cursorName);
  const publisher = new EventPublisher({
    journal,
    journalDir: join(dir, 'journal'),
    cursor,
    topics: new Topics('bench', 'server-room'),
    logger: pino({ level: 'silent' }),
    sink: {
      get connected() {
        return client.connected;
      },
      publishQos1: (t, p, done) => client.publish(t, p, { qos: 1 }, (err) => done(err)),
    },
  });
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const t0 = performance.now();
  publisher.start();
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      sample();
      if (publisher.acknowledgedSeq >= upTo) {
        clearInterval(check);
        resolve();
      }
    }, 5);
  });
  const seconds = (performance.now() - t0) / 1000;
  publisher.stop();
  await client.endAsync();
  return { seconds, peakRssMb: peakRss / 2 ** 20, peakHeapMb: peakHeap / 2 ** 20 };
}

function mosquittoPub(port: number, lines: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-t',
      'bench/pub',
      '-q',
      '1',
      '-l',
    ]);
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`exit ${code}`)),
    );
    p.stdin.end(lines);
  });
}

export async function runMqttBench(
  opts: { events?: number; throughputEvents?: number } = {},
): Promise<MqttBenchResult> {
  const total = opts.events ?? 100_000;
  const tpEvents = Math.min(opts.throughputEvents ?? 20_000, total);
  const dir = mkdtempSync(join(tmpdir(), 'jk-bench-mqtt-'));
  const broker = new Mosquitto();
  try {
    await broker.start();
    const journal = new Journal({
      dir: join(dir, 'journal'),
      door: 'server-room',
      maxFileBytes: 16 << 20,
      fsync: false,
    });
    journal.start();
    for (let i = 0; i < total; i++) {
      journal.append({
        type: 'access.denied',
        data: {
          reader: 'entry',
          direction: 'entry',
          credential: 'nfc',
          uid: '…BEEF',
          reason: 'unknown_badge',
          n: i,
        },
      });
    }
    // Same payloads, one per line, for mosquitto_pub (QoS 1, same broker).
    const topics = new Topics('bench', 'server-room');
    const lines = `${journal
      .read(0, tpEvents)
      .map((e) => messagesFor(e, topics, 1 << 20)[0]!.payload)
      .join('\n')}\n`;
    const pubSeconds = await mosquittoPub(broker.port, lines);
    const tp = await drain(journal, dir, broker.url, 'cursor-throughput.json', tpEvents);
    const full = await drain(journal, dir, broker.url, 'cursor-drain.json', total);
    journal.stop();
    const publisherPerSec = tpEvents / tp.seconds;
    const mosquittoPubPerSec = tpEvents / pubSeconds;
    const r: MqttBenchResult = {
      events: total,
      publisherPerSec,
      mosquittoPubPerSec,
      ratio: publisherPerSec / mosquittoPubPerSec,
      drainSeconds: full.seconds,
      peakRssMb: full.peakRssMb,
      peakHeapMb: full.peakHeapMb,
    };
    const ok = (b: boolean) => (b ? 'ok' : 'MISSED');
    process.stdout.write(
      [
        'mqtt bench (local mosquitto, QoS 1)',
        `  throughput (${tpEvents} events): publisher ${publisherPerSec.toFixed(0)}/s, mosquitto_pub -l ${mosquittoPubPerSec.toFixed(0)}/s, ratio ${r.ratio.toFixed(2)} (target >= 0.80) ${ok(r.ratio >= 0.8)}`,
        `  drain ${total} backlog events: ${r.drainSeconds.toFixed(2)} s (target < 20 s) ${ok(r.drainSeconds < 20)}`,
        `  memory during drain: peak rss ${r.peakRssMb.toFixed(0)} MB, heap ${r.peakHeapMb.toFixed(0)} MB (target < 150 MB) ${ok(r.peakRssMb < 150)}`,
        '',
      ].join('\n'),
    );
    return r;
  } finally {
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runMqttBench();
}
