/**
 * Loading: embedded defaults ← file (migrated to the current version) ← environment. Validation
 * lists every error as `path message` — the schema's, then the rules it cannot say (rules.ts) —
 * rejects unknown keys, and the result is frozen.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parseJsonText } from '../domain/json-syntax.js';
import { ConfigError } from './config-error.js';
import { migrate } from './migrate.js';
import { configProblems } from './rules.js';
import { type Config, configSchema } from './schema.js';

// Where the loader's callers have always found it.
export { ConfigError } from './config-error.js';

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
/** A guard for `Config`: the type is derived from this same schema (schema.ts). */
const validate = ajv.compile<Config>(configSchema);

type SchemaNode = { type?: string; properties?: Record<string, SchemaNode>; enum?: readonly unknown[] };

/** JURUKUNCI_ACCESS__ESCORT_WINDOW_SECONDS ↔ access.escortWindowSeconds, derived from the schema. */
export function envName(path: string[]): string {
  return `JURUKUNCI_${path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('__')}`;
}

export function envOverrides(env: NodeJS.ProcessEnv): { values: Record<string, unknown>; errors: string[] } {
  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  const walk = (node: SchemaNode, path: string[]) => {
    if (node.type === 'object' && node.properties) {
      for (const [k, child] of Object.entries(node.properties)) walk(child, [...path, k]);
      return;
    }
    const name = envName(path);
    const raw = env[name];
    if (raw === undefined) return;
    let value: unknown = raw;
    if (node.type === 'integer' || node.type === 'number') {
      value = Number(raw);
      if (raw.trim() === '' || Number.isNaN(value)) {
        errors.push(`${name} must be a number`);
        return;
      }
    } else if (node.type === 'boolean') {
      if (!['true', 'false', '1', '0'].includes(raw)) {
        errors.push(`${name} must be true or false`);
        return;
      }
      value = raw === 'true' || raw === '1';
    } else if (node.type === 'array') {
      try {
        value = JSON.parse(raw);
      } catch {
        errors.push(`${name} must be a JSON array`);
        return;
      }
    }
    let target = values;
    for (const p of path.slice(0, -1)) {
      target[p] ??= {};
      target = target[p] as Record<string, unknown>;
    }
    target[path[path.length - 1]!] = value;
  };
  walk(configSchema as unknown as SchemaNode, []);
  return { values, errors };
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? merge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * Validates a plain object of the current version (defaults filled in); throws ConfigError listing
 * every problem. The cross-field rules run once the schema holds, as they read a whole Config.
 */
export function validateConfig(input: unknown): Config {
  const candidate: unknown = structuredClone(input ?? {});
  if (!validate(candidate)) {
    const errors = (validate.errors ?? []).map((e) => {
      const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)';
      if (e.keyword === 'additionalProperties') {
        return `${path} unknown key '${String((e.params as { additionalProperty: string }).additionalProperty)}'`;
      }
      if (e.keyword === 'enum')
        return `${path} must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
      return `${path} ${e.message ?? 'is invalid'}`;
    });
    throw new ConfigError(errors);
  }
  const problems = configProblems(candidate);
  if (problems.length > 0) throw new ConfigError(problems);
  return candidate;
}

export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${path}: ${(err as Error).message}`]);
  }
  // Not JSON.parse's message: it quotes the file, and a configuration holds passwords.
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new ConfigError([`${path}: not valid JSON (${parsed.problem})`], path);
  const v = parsed.value;
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new ConfigError([`${path}: not valid JSON (top level must be an object)`], path);
  return v as Record<string, unknown>;
}

export interface LoadOptions {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  overrides?: Record<string, unknown>;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.JURUKUNCI_CONFIG;
  let data: Record<string, unknown> = file ? migrate(readConfigFile(file), { source: file }).config : {};
  const fromEnv = envOverrides(env);
  data = merge(data, fromEnv.values);
  if (opts.overrides) data = merge(data, opts.overrides);
  // Every error at once: bad environment values are left out of the merge and listed together
  // with whatever the file and the remaining overrides get wrong.
  let config: Config;
  try {
    config = validateConfig(data);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError([...fromEnv.errors, ...err.errors], file);
    throw err;
  }
  if (fromEnv.errors.length) throw new ConfigError(fromEnv.errors, file);
  return deepFreeze(config);
}
