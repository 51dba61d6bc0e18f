/**
 * Where the console's static files live. `tsc -p tsconfig.build.json` copies no non-TS files into
 * dist/, so the assets are read from the source tree in both cases: this walks up from this file
 * (src/http/console/ under tsx, dist/http/console/ when built) to the package root, the first
 * folder whose package.json is named "jurukunci", and returns <root>/src/http/console/assets.
 * An install must therefore ship src/http/console/assets/ (the package ships src/ today).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'jurukunci';

export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME)
          return dir;
      } catch {
        // An unreadable package.json is not ours; keep walking.
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`package root (${PACKAGE_NAME}/package.json) not found above ${from}`);
    dir = up;
  }
}

/** console.css, console-views.css and console.js: serve this folder at /assets/. */
export function consoleAssetsDir(): string {
  return join(packageRoot(), 'src', 'http', 'console', 'assets');
}

/** The folder holding htmx.min.js (from the htmx.org package, no CDN): serve it at /assets/ too. */
export function htmxAssetsDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('htmx.org/dist/htmx.min.js'));
}
