import assert from 'node:assert/strict';
import { csvCell, csvRow, toCsv } from '../../../src/http/console/csv.js';

describe('console csv', () => {
  it('quotes fields with commas, quotes, CR or LF and doubles quotes (RFC 4180)', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(undefined), '');
    assert.equal(csvRow(['a', 1, true, null]), 'a,1,true,');
  });

  it('neutralises text cells that a spreadsheet would run as a formula', () => {
    for (const f of ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) {
      const out = csvCell(f);
      assert.ok(out.startsWith("'") || out.startsWith(`"'`), `${JSON.stringify(f)} → ${out}`);
    }
    assert.equal(csvCell('=1+1'), "'=1+1");
    assert.equal(csvCell('=a,b'), `"'=a,b"`);
    assert.equal(csvCell('\rx'), `"'\rx"`);
    assert.equal(csvCell(-5), '-5');
    assert.equal(csvCell('a=b'), 'a=b');
  });

  it('writes CRLF rows with an optional BOM', () => {
    assert.equal(
      toCsv(
        ['h1', 'h2'],
        [
          ['a', 'b'],
          ['c', null],
        ],
      ),
      'h1,h2\r\na,b\r\nc,\r\n',
    );
    assert.ok(toCsv(['x'], [], { bom: true }).startsWith('\uFEFFx\r\n'));
  });
});
