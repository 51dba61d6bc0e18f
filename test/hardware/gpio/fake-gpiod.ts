/**
 * Fake gpiod tools (gpioset, gpiomon, gpioget, gpiodetect) as shell scripts on PATH: there is no
 * /dev/gpiochip on the build machine and no gpio-sim module to make one. They log their arguments,
 * hold or stream like the real tools, and are steered through files in one directory.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPTS: Record<string, string> = {
  gpioset: `#!/bin/sh
# The trap goes first: the driver may stop a holder the moment it has logged its request.
child=
trap '[ -n "$child" ] && kill $child 2>/dev/null; echo "$$ released" >> "$FAKE_GPIO/gpioset.log"; exit 0' TERM INT
echo "$$ $*" >> "$FAKE_GPIO/gpioset.log"
[ "$1" = "--mode=signal" ] || exit 0
if [ -f "$FAKE_GPIO/gpioset.fail" ]; then
  echo "gpioset: error setting the GPIO line values: Device or resource busy" >&2
  exit 1
fi
echo $$ > "$FAKE_GPIO/gpioset.pid"
# Its own stdio: an orphaned sleep must not hold the test's pipes open after a SIGKILL.
sleep 1000 </dev/null >/dev/null 2>&1 &
child=$!
echo $child >> "$FAKE_GPIO/children"
wait $child
`,
  gpiomon: `#!/bin/sh
echo "$$ $*" >> "$FAKE_GPIO/gpiomon.log"
for last; do :; done
f="$FAKE_GPIO/events-$last"
: > "$f"
echo $$ > "$FAKE_GPIO/gpiomon-$last.pid"
exec tail -n +1 -f "$f"
`,
  gpioget: `#!/bin/sh
echo "$*" >> "$FAKE_GPIO/gpioget.log"
for last; do :; done
cat "$FAKE_GPIO/level-$last" 2>/dev/null || echo 0
`,
  gpiodetect: `#!/bin/sh
cat "$FAKE_GPIO/gpiodetect.out"
`,
};

export class FakeGpiod {
  readonly dir = mkdtempSync(join(tmpdir(), 'jk-gpiod-'));
  readonly env: NodeJS.ProcessEnv;

  constructor() {
    for (const [name, body] of Object.entries(SCRIPTS)) {
      writeFileSync(join(this.dir, name), body);
      chmodSync(join(this.dir, name), 0o755);
    }
    this.env = { ...process.env, PATH: `${this.dir}:${process.env.PATH ?? ''}`, FAKE_GPIO: this.dir };
  }

  file(name: string): string {
    return existsSync(join(this.dir, name)) ? readFileSync(join(this.dir, name), 'utf8') : '';
  }

  lines(tool: 'gpioset' | 'gpiomon' | 'gpioget'): string[] {
    return this.file(`${tool}.log`).split('\n').filter(Boolean);
  }

  /** gpioset invocations without their pid. */
  setCalls(): string[] {
    return this.lines('gpioset').map((l) => l.replace(/^\d+ /, ''));
  }

  /** gpioset line requests (not releases), in order. */
  holds(): string[] {
    return this.setCalls().filter((c) => c.startsWith('--mode='));
  }

  set(name: string, content: string): void {
    writeFileSync(join(this.dir, name), content);
  }

  remove(name: string): void {
    rmSync(join(this.dir, name), { force: true });
  }

  pid(name: string): number {
    return Number(this.file(name).trim());
  }

  /** A line gpiomon prints for that offset. */
  emit(offset: number, line: string): Promise<void> {
    return appendFile(join(this.dir, `events-${offset}`), `${line}\n`);
  }

  cleanup(): void {
    // A holder killed with SIGKILL leaves its sleep behind; end those (only ours, by pid).
    for (const pid of this.file('children').split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid));
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
