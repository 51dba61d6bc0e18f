/**
 * Fuzzing every JSON route from its own schema (#12 §4): bodies generated from the OpenAPI
 * document the service publishes — mostly well-typed, often not, sometimes raw junk — sent as a
 * superadmin. Never a crash, never a 5xx other than the documented 503, never an unlock, and the
 * store on disk unchanged whenever the answer is 4xx. Seeded; a failure prints its seed and path.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { issuedVisit, seedPeople, startRig, type TestRig } from '../fixtures/runtime.js';

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  maxLength?: number;
  pattern?: string;
};

const SEED = 20261201;
/** Routes that open the door by design (simulated taps, remote unlock, modes) are not fuzzed here. */
const SKIP = /^\/api\/sim\/|^\/api\/door\/(mode|unlock)$/;
/** scrypt runs on these: fewer cases, the same checks. */
const SLOW = /^\/api\/(auth\/login|setup|users)/;

function arbFor(schema: Schema, defs: Record<string, Schema>, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return arbFor(defs[schema.$ref.split('/').pop() as string] ?? {}, defs, depth);
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts) return fc.oneof(...alts.map((s) => arbFor(s, defs, depth)));
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (schema.enum) return fc.oneof(fc.constantFrom(...schema.enum), fc.string({ maxLength: 12 }));
  const byType = types.map((t): fc.Arbitrary<unknown> => {
    switch (t) {
      case 'object': {
        if (depth > 3) return fc.constant({});
        const props = schema.properties ?? {};
        const keys = Object.keys(props);
        const rec = fc.record(
          Object.fromEntries(keys.map((k) => [k, arbFor(props[k] as Schema, defs, depth + 1)])),
          { requiredKeys: (schema.required ?? []).filter((k) => keys.includes(k)) },
        );
        // Now and then an unknown or prototype-polluting key.
        return fc.oneof(
          { weight: 5, arbitrary: rec },
          {
            weight: 1,
            arbitrary: fc
              .tuple(rec, fc.constantFrom('__proto__', 'constructor', 'extra', 'isAdmin'), fc.jsonValue())
              .map(([r, k, v]) => ({ ...(r as object), [k]: v })),
          },
        );
      }
      case 'array':
        return fc.array(arbFor(schema.items ?? {}, defs, depth + 1), { maxLength: 4 });
      case 'string':
        return fc.oneof(
          fc.string({ maxLength: (schema.maxLength ?? 40) + 2 }),
          fc.constantFrom(
            '',
            ' ',
            '<script>alert(1)</script>',
            '3319014507900003',
            '2026-12-01T10:00:00Z',
            '\u202e\u0000',
          ),
        );
      case 'integer':
        return fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 53));
      case 'number':
        return fc.oneof(fc.double(), fc.integer());
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      default:
        return fc.jsonValue();
    }
  });
  return byType.length ? fc.oneof(...byType, fc.jsonValue()) : fc.jsonValue();
}

describe('fuzz: every JSON route with bodies from its own schema', function () {
  this.timeout(300_000);
  let rig: TestRig;
  let token: string;
  let ids: Record<string, string>;
  before(async () => {
    rig = await startRig();
    const p = await seedPeople(rig);
    token = p.kasi;
    ids = { visit: await issuedVisit(rig, p), user: p.sariId, badge: p.visitorBadge };
  });
  after(() => rig.stop());

  it('10,000 bodies: no crash, no undocumented 5xx, no unlock, nothing stored on a 4xx', async () => {
    const doc = (await rig.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>
      >;
      components?: { schemas?: Record<string, Schema> };
    };
    const defs = doc.components?.schemas ?? {};
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([m, op]) => ['post', 'patch'].includes(m) && op.requestBody && !SKIP.test(path))
        .map(([m, op]) => ({
          method: m.toUpperCase(),
          path,
          schema: op.requestBody!.content['application/json']!.schema,
        })),
    );
    assert.ok(routes.length >= 15, `${routes.length} routes with bodies`);
    const stateFile = join(rig.dir, 'state.json');
    let cases = 0;
    const fast = routes.filter((r) => !SLOW.test(r.path));
    const slow = routes.filter((r) => SLOW.test(r.path));
    for (const [list, runs] of [
      [fast, Math.ceil(9_800 / fast.length)],
      [slow, Math.ceil(200 / slow.length)],
    ] as const) {
      for (const route of list) {
        const url = route.path.replace(
          '{id}',
          route.path.startsWith('/api/users')
            ? ids.user!
            : route.path.startsWith('/api/badges')
              ? ids.badge!
              : ids.visit!,
        );
        const body = fc.oneof(
          { weight: 12, arbitrary: arbFor(route.schema, defs).map((b) => JSON.stringify(b)) },
          { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
        );
        await fc.assert(
          fc.asyncProperty(body, async (payload) => {
            cases++;
            const before = readFileSync(stateFile);
            const res = await rig.inject({
              method: route.method as 'POST',
              url,
              token,
              headers: { 'content-type': 'application/json' },
              payload,
            });
            assert.ok(
              res.statusCode < 500 || res.statusCode === 503,
              `${route.method} ${url} ${payload} → ${res.statusCode} ${res.body}`,
            );
            assert.equal(rig.rt.relay.get(), false, `${route.method} ${url} ${payload} opened the door`);
            if (res.statusCode >= 400) {
              assert.ok(
                readFileSync(stateFile).equals(before),
                `${route.method} ${url} ${payload}: stored on ${res.statusCode}`,
              );
              assert.ok(res.json().error?.code, 'a coded error');
            }
          }),
          { numRuns: runs, seed: SEED, endOnFailure: true },
        );
      }
    }
    assert.ok(cases >= 10_000, `${cases} cases`);
  });
});
