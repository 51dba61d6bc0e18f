/**
 * `npm run bench`: builds, then prints every figure against the target its issue sets. Figures
 * only: nothing here fails a build, and tests never assert timings.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem } from 'node:os';
import { benchBridge } from './bridge.js';
import { benchConsole } from './console.js';
import type { Figure } from './figures.js';
import { benchFoundation } from './foundation.js';
import { runMqttBench } from './mqtt.js';
import { benchNfc } from './nfc.js';
import { benchQr } from './qr.js';

const log = (s: string) => process.stdout.write(`  · ${s}\n`);

const all: (Figure & { section: string })[] = [];
const num = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(v >= 10 ? 1 : 3));

function print(title: string, figures: Figure[]): void {
  process.stdout.write(`\n${title}\n`);
  for (const f of figures) {
    all.push({ ...f, section: title });
    process.stdout.write(
      `  ${f.ok ? 'PASS' : 'MISS'}  ${f.name.padEnd(50)} ${`${num(f.value)} ${f.unit}`.padStart(14)}   target ${f.target}\n`,
    );
  }
}

/** One table of every figure (measured, baseline from the same run, ratio, target) and results.json. */
function report(startedAt: Date): void {
  const rows = all.map((f) => [
    f.ok ? 'PASS' : 'MISS',
    f.name,
    `${num(f.value)} ${f.unit}`,
    f.baseline ? `${num(f.baseline.value)} (${f.baseline.name})` : '—',
    f.baseline && f.baseline.value !== 0 ? `${(f.value / f.baseline.value).toFixed(2)}×` : '—',
    f.target,
  ]);
  const head = ['', 'figure', 'measured', 'baseline (same run)', 'ratio', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`\n== all figures\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? null,
      memoryBytes: totalmem(),
      freeMemoryBytes: freemem(),
    },
    only: only ?? null,
    figures: all,
  };
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(
    `\n${all.filter((f) => f.ok).length}/${all.length} figures meet their target; bench/results.json written\n`,
  );
}

/** `npm run bench -- mqtt` runs one section; no argument runs them all. */
const only = process.argv[2];
const want = (section: string) => !only || only === section;

async function main(): Promise<void> {
  const startedAt = new Date();
  process.stdout.write(
    `jurukunci bench — node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})\n`,
  );
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (want('foundation')) {
    process.stdout.write('\n#2 foundation\n');
    print('#2 foundation — figures', await benchFoundation(log));
  }
  if (want('mqtt')) {
    process.stdout.write('\n#3 MQTT\n');
    print('#3 MQTT — figures', await runMqttBench(log));
  }
  if (want('qr')) {
    process.stdout.write('\n#4 QR passes\n');
    print('#4 QR passes — figures', await benchQr(log));
  }
  if (want('console')) print('#8 console — figures', await benchConsole(log));
  if (want('nfc')) {
    process.stdout.write('\n#4 NFC tap-to-relay (real pcscd + vpcd + virtual card)\n');
    print('#4 NFC — figures', await benchNfc(log));
  }
  if (want('bridge')) {
    process.stdout.write('\n#9 firmware bridge (real firmware under simavr, real serialport on its pty)\n');
    print('#9 firmware bridge — figures', await benchBridge(log));
  }
  report(startedAt);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
