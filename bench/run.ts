/**
 * `npm run bench`: builds, then prints every figure against the target its issue sets. Figures
 * only: nothing here fails a build, and tests never assert timings.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { benchFoundation, type Figure } from './foundation.js';

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

async function main(): Promise<void> {
  process.stdout.write(
    `jurukunci bench — node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})\n`,
  );
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  process.stdout.write('\n#2 foundation\n');
  print('#2 foundation — figures', await benchFoundation(log));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
