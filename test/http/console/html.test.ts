import assert from 'node:assert/strict';
import {
  BLOCKED_URL,
  escapeHtml,
  Html,
  html,
  type Interpolation,
  join,
  raw,
  safeUrl,
} from '../../../src/http/console/html.js';

describe('console html', () => {
  it('escapes & < > " \' and backtick in interpolated text', () => {
    assert.equal(escapeHtml(`&<>"'\``), '&amp;&lt;&gt;&quot;&#39;&#96;');
    const name = '<script>alert(1)</script>';
    assert.equal(String(html`<p>${name}</p>`), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('keeps an attribute payload inside its quoted attribute', () => {
    const v = '" onmouseover="alert(1)';
    const out = String(html`<input value="${v}">`);
    assert.equal(out, '<input value="&quot; onmouseover=&quot;alert(1)">');
    assert.ok(!out.includes('" onmouseover'));
    const single = String(html`<input value='${"' autofocus onfocus='x"}'>`);
    assert.ok(!single.includes("' autofocus"));
  });

  it('does not escape nested templates twice, but escapes their values once', () => {
    const inner = html`<b>${'a&b'}</b>`;
    assert.equal(String(html`<p>${inner}</p>`), '<p><b>a&amp;b</b></p>');
    assert.equal(String(html`${html`${html`${'<'}`}`}`), '&lt;');
  });

  it('joins arrays and renders null, undefined and false as nothing', () => {
    const items: Interpolation[] = ['<a>', html`<i>x</i>`, null, undefined, false, 3];
    assert.equal(String(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`).includes('&lt;a&gt;'), true);
    assert.equal(String(html`${null}${undefined}${false}${0}${''}`), '0');
    assert.equal(String(html`${[['a', ['<']], 'b']}`), 'a&lt;b');
    assert.equal(String(join(['a', null, 'b'], html`<br>`)), 'a<br>b');
    assert.equal(String(join(['a', 'b'], '<')), 'a&lt;b');
  });

  it('passes raw() through and returns Html values', () => {
    assert.equal(String(html`${raw('<hr>')}`), '<hr>');
    assert.ok(html`x` instanceof Html);
  });

  it('refuses javascript:, data: and protocol-relative URLs in safeUrl', () => {
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      '\u0001javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      '//evil.example/x',
      '\\\\evil.example',
      '/\\evil.example',
      'mailto:x@example.org',
    ]) {
      assert.equal(safeUrl(bad), BLOCKED_URL, bad);
    }
    const out = String(html`<a href="${safeUrl('javascript:alert(1)')}">x</a>`);
    assert.equal(out, '<a href="#">x</a>');
  });

  it('allows relative and http(s) URLs in safeUrl, still escaped in the template', () => {
    for (const ok of [
      '/console/visits/v1',
      'visits?x=1',
      '?page=2',
      '#main',
      'https://kudus.go.id/a',
      'HTTP://x.y/',
    ]) {
      assert.equal(safeUrl(ok), ok);
    }
    assert.equal(
      String(html`<a href="${safeUrl('/a?x=1&y="2"')}">`),
      '<a href="/a?x=1&amp;y=&quot;2&quot;">',
    );
  });
});
