import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonSyntaxError, parseJsonText } from '../../src/domain/json-syntax.js';

describe('domain/json-syntax', () => {
  it('says where a text stops being JSON, by line and column, without quoting it', () => {
    assert.deepEqual(jsonSyntaxError('{"a":1,\n"b":}'), {
      line: 2,
      column: 5,
      problem: 'expected a value, found character U+007d',
    });
    assert.deepEqual(jsonSyntaxError('{"version":1,"users":['), {
      line: 1,
      column: 23,
      problem: 'expected a value, found the end of the text',
    });
    assert.equal(jsonSyntaxError('{"a" 1}')?.problem, "expected ':', found character U+0031");
    assert.equal(jsonSyntaxError('\u0000\u0000')?.column, 1);
    assert.equal(jsonSyntaxError('{"a":[1,2,{"b":null}],"c":"x\\u00e9","d":-1.5e3}'), null);
  });

  it('agrees with JSON.parse on what is JSON (property test)', () => {
    const alphabet = fc.constantFrom(...'{}[],:"01-.eE tfnrulsa\\\n\t'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 14 }), (chars) => {
        const s = chars.join('');
        let ok = true;
        try {
          JSON.parse(s);
        } catch {
          ok = false;
        }
        assert.equal(jsonSyntaxError(s) === null, ok, JSON.stringify(s));
      }),
      { numRuns: 20_000, seed: 1206 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        assert.equal(jsonSyntaxError(JSON.stringify(v, null, 2)), null);
      }),
    );
  });

  it('parseJsonText names an empty text apart and never echoes the content', () => {
    assert.deepEqual(parseJsonText(''), { ok: false, problem: 'empty (0 bytes)' });
    const r = parseJsonText('{"nik":"3319014507900003"');
    assert.equal(r.ok, false);
    assert.doesNotMatch(JSON.stringify(r), /3319/);
    assert.deepEqual(parseJsonText('[1]'), { ok: true, value: [1] });
  });
});
