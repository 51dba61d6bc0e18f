#!/usr/bin/env node
// Fails (exit 1) when the TypeScript files under a folder import each other in a loop. Relative
// imports only, type-only imports included (a type cycle is still a design cycle). Tarjan's
// strongly connected components over the import graph; prints one loop of files per line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const root = process.argv[2] ?? 'src';
const files = new Set();
(function walk(d) {
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) files.add(normalize(p));
  }
})(root);

const importRe = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
const graph = new Map();
for (const p of files) {
  const deps = new Set();
  for (const m of readFileSync(p, 'utf8').matchAll(importRe)) {
    const t = normalize(join(dirname(p), m[1] ?? m[2]));
    for (const cand of [t.replace(/\.js$/, '.ts'), `${t}.ts`, join(t, 'index.ts')]) {
      if (files.has(cand)) {
        deps.add(cand);
        break;
      }
    }
  }
  graph.set(p, deps);
}

let counter = 0;
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function connect(v) {
  index.set(v, counter);
  low.set(v, counter);
  counter++;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v)) {
    if (!index.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) === index.get(v)) {
    const comp = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1 || graph.get(v).has(v)) cycles.push(comp.sort());
  }
}
for (const v of graph.keys()) if (!index.has(v)) connect(v);

if (cycles.length) {
  console.error(`import cycles under ${root}/ (each line one loop of files):`);
  for (const c of cycles) console.error(`  ${c.map((f) => relative('.', f)).join(' <-> ')}`);
  process.exit(1);
}
console.log(`no import cycles under ${root}/ (${files.size} files)`);
