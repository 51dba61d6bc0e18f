/**
 * `npm run bench`: builds, then prints every figure against the target its issue sets. Figures
 * only: nothing here fails a build, and tests never assert timings.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { benchConsole } from './console.js';
import type { Figure } from './figures.js';
import { benchFoundation } from './foundation.js';
import { runMqttBench } from './mqtt.js';
import { benchNfc } from './nfc.js';
import { benchQr } from './qr.js';

const log = (s: string) => process.stdout.write(`  · ${s}\n`);

function print(title: string, figures: Figure[]): void {
  process.stdout.write(`\n${title}\n`);
  for (const f of figures) {
    const v = f.value >= 100 ? f.value.toFixed(0) : f.value.toFixed(f.value >= 10 ? 1 : 3);
    process.stdout.write(
      `  ${f.ok ? 'PASS' : 'MISS'}  ${f.name.padEnd(50)} ${`${v} ${f.unit}`.padStart(14)}   target ${f.target}\n`,
    );
  }
}

/** `npm run bench -- mqtt` runs one section; no argument runs them all. */
const only = process.argv[2];
const want = (section: string) => !only || only === section;

async function main(): Promise<void> {
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
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
