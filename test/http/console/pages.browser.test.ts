/**
 * Every console page in real Chromium under the CSP the console will send (`default-src 'self'`):
 * no console errors, no inline script or style in the markup, no critical or serious axe
 * violations; screenshots saved under test-artifacts/screenshots/. The pages come from a tiny
 * node:http server (static assets + pages rendered with sample data), not from fastify: the
 * console routes are wired after the http restructure.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { consoleAssetsDir, htmxAssetsDir } from '../../../src/http/console/assets-dir.js';
import { t } from '../../../src/http/console/i18n/index.js';
import { doorLiveFragment } from '../../../src/http/console/pages/door.js';
import { sseFragment } from '../../../src/http/console/sse.js';
import {
  AXE_PATH,
  axeViolations,
  collectErrors,
  launchBrowser,
  saveScreenshot,
  type TestBrowser,
} from '../../fixtures/browser.js';
import { NOW, sampleDoor, samplePages } from './sample-pages.js';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'";
const SSE_MARKER = 'Wati dari SSE';

const ASSETS: Record<string, { file: string; type: string }> = {
  '/assets/console.css': { file: join(consoleAssetsDir(), 'console.css'), type: 'text/css' },
  '/assets/console-views.css': { file: join(consoleAssetsDir(), 'console-views.css'), type: 'text/css' },
  '/assets/console.js': { file: join(consoleAssetsDir(), 'console.js'), type: 'text/javascript' },
  '/assets/htmx.min.js': { file: join(htmxAssetsDir(), 'htmx.min.js'), type: 'text/javascript' },
  '/__test/axe.min.js': { file: AXE_PATH, type: 'text/javascript' },
};

describe('console pages in Chromium', () => {
  const pages = samplePages();
  const streams = new Set<ServerResponse>();
  let server: Server;
  let base: string;
  let browser: TestBrowser;

  before(async () => {
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      res.setHeader('content-security-policy', CSP);
      const asset = ASSETS[path];
      if (asset) {
        res.writeHead(200, { 'content-type': asset.type });
        res.end(readFileSync(asset.file));
        return;
      }
      if (path === '/console/door/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
        const view = sampleDoor();
        const first = view.snapshot.inside[0]!;
        view.snapshot.inside.push({ ...first, badgeId: 'b5', name: SSE_MARKER });
        res.write(sseFragment(doorLiveFragment({ lang: 'id', timeZone: 'Asia/Jakarta', now: NOW }, view), 1));
        streams.add(res);
        res.on('close', () => streams.delete(res));
        return;
      }
      if (path === '/favicon.ico') {
        res.writeHead(204);
        res.end();
        return;
      }
      const page = pages.get(path);
      if (!page) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page.html.toString());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    for (const s of streams) s.destroy();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('renders markup with no inline script, style or event handler', () => {
    for (const [path, { html }] of pages) {
      const text = html.toString();
      // Attribute values hold escaped user text ("&lt;img … onerror=…"): look at the markup only.
      const markup = text.replace(/="[^"]*"/g, '=""').replace(/='[^']*'/g, "=''");
      assert.doesNotMatch(text, /<script(?![^>]*\ssrc=)[^>]*>/i, `${path}: inline <script>`);
      assert.doesNotMatch(text, /<style[\s>]/i, `${path}: <style>`);
      assert.doesNotMatch(markup, /\sstyle=/i, `${path}: style attribute`);
      assert.doesNotMatch(markup, /<[^>]+\son[a-z]+=/i, `${path}: inline event handler`);
      assert.doesNotMatch(text, /<img src=x/i, `${path}: unescaped payload`);
    }
  });

  for (const [path, { name }] of samplePages()) {
    it(`loads ${name} without console errors or serious axe violations`, async () => {
      const page = await browser.context.newPage();
      try {
        const errors = collectErrors(page);
        const response = await page.goto(base + path, { waitUntil: 'load' });
        assert.equal(response?.status(), 200);
        if (path === '/console/door') {
          // The SSE fragment replaced the live region (console.js + EventSource under the CSP).
          await page.locator('#door-live').getByText(SSE_MARKER).waitFor();
        }
        const violations = await axeViolations(page, `${base}/__test/axe.min.js`);
        await saveScreenshot(page, name);
        assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
        assert.deepEqual(errors, []);
        const title = await page.title();
        assert.ok(title.endsWith(t('id').product), title);
      } finally {
        await page.close();
      }
    });
  }

  it('fits a phone screen (request form, 360 px wide)', async () => {
    const page = await browser.context.newPage();
    try {
      await page.setViewportSize({ width: 360, height: 740 });
      await page.goto(`${base}/console/request`, { waitUntil: 'load' });
      // Runs in the page: the test's tsconfig has no DOM lib, so the globals are typed here.
      const overflow = await page.evaluate(() => {
        const g = globalThis as unknown as {
          innerWidth: number;
          document: { documentElement: { scrollWidth: number } };
        };
        return g.document.documentElement.scrollWidth > g.innerWidth;
      });
      await saveScreenshot(page, 'request-form-mobile');
      assert.equal(overflow, false);
    } finally {
      await page.close();
    }
  });
});
