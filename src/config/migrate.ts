/**
 * Old configuration files, brought up to CONFIG_VERSION before validation: one step function per
 * version, vN → vN+1, applied in turn. A file without `version` is taken as current (the schema's
 * default); a file newer than this code is refused by name rather than half understood.
 */
import { ConfigError } from './config-error.js';
import { CONFIG_VERSION } from './schema.js';

export type RawConfig = Record<string, unknown>;

/** Takes a vN file (`version` N) and returns it as vN+1, `version` included. Must not mutate. */
export type MigrationStep = (raw: RawConfig) => RawConfig;

/** Steps by the version they start from. Empty while v1 is the only version there has been. */
export const MIGRATIONS: Readonly<Record<number, MigrationStep>> = {};

export interface MigrateOptions {
  /** Where the file came from, for the error messages. */
  source?: string | undefined;
  /** Replace the real table and current version (tests). */
  steps?: Readonly<Record<number, MigrationStep>>;
  current?: number;
}

export interface Migrated {
  config: RawConfig;
  /** The version the file was written for; equal to the current one when nothing was done. */
  from: number;
}

export function migrate(raw: RawConfig, opts: MigrateOptions = {}): Migrated {
  const steps = opts.steps ?? MIGRATIONS;
  const current = opts.current ?? CONFIG_VERSION;
  const where = opts.source ? ` (${opts.source})` : '';
  const version = raw.version ?? current;
  // Not a whole number: the schema names it (`version must be one of [...]`).
  if (typeof version !== 'number' || !Number.isInteger(version)) return { config: raw, from: current };
  if (version > current) {
    throw new ConfigError([
      `version ${version}${where} is newer than this jurukunci understands (up to ${current}): upgrade jurukunci, or rewrite the file for version ${current}`,
    ]);
  }
  let config = raw;
  for (let v = version; v < current; v++) {
    const step = steps[v];
    if (!step)
      throw new ConfigError([`version ${version}${where} cannot be migrated: no step from ${v} to ${v + 1}`]);
    config = step(config);
    if (config.version !== v + 1)
      throw new ConfigError([
        `version migration step ${v} → ${v + 1} returned version ${String(config.version)}`,
      ]);
  }
  return { config, from: version };
}
