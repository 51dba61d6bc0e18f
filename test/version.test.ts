import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VERSION } from '../src/version.js';

describe('version', () => {
  it('matches package.json', () => {
    assert.equal(VERSION, JSON.parse(readFileSync('package.json', 'utf8')).version);
  });
});
