/** The command line's table: each command's flags (for node's parseArgs, strict) and its usage. */
import type { ParseArgsConfig } from 'node:util';

export const VERIFY_USAGE =
  'usage: jurukunci verify-journal DIR [--anchor SEQ:HASH] [--public-key FILE]   (DIR: the data directory or its journal/ directory)\n';

/** Each command's flags (node's parseArgs, strict: an unknown flag is an error) and its usage. */
export const COMMANDS: Record<
  string,
  { usage: string; summary: string; options: ParseArgsConfig['options']; positionals?: number }
> = {
  start: {
    summary: 'run the door controller',
    usage: 'jurukunci start [--config FILE]',
    options: { config: { type: 'string' } },
  },
  demo: {
    summary: 'tell the whole procedure on simulated hardware in a temp dir, then verify the journal',
    usage: 'jurukunci demo',
    options: {},
  },
  'user add': {
    summary: 'create a user (the service stopped); prompts for the password',
    usage:
      'jurukunci user add --role admin|superadmin --username U --name "Full Name" [--escort] [--password-stdin] [--config FILE]',
    options: {
      role: { type: 'string' },
      username: { type: 'string' },
      name: { type: 'string' },
      escort: { type: 'boolean' },
      'password-stdin': { type: 'boolean' },
      config: { type: 'string' },
    },
  },
  'config check': {
    summary: 'validate a configuration file, listing every error with its path',
    usage: 'jurukunci config check FILE',
    options: {},
    positionals: 1,
  },
  'config env': {
    summary: 'list every environment variable that overrides a setting',
    usage: 'jurukunci config env',
    options: {},
  },
  'verify-journal': {
    summary: 'check the hash chain, checkpoints and an anchor; non-zero when broken',
    usage: VERIFY_USAGE.replace(/^usage: /, '').trim(),
    options: { anchor: { type: 'string' }, 'public-key': { type: 'string' } },
    positionals: 1,
  },
  'state restore': {
    summary: 'put back the previous generation of a damaged state.json / door.json (the service stopped)',
    usage: 'jurukunci state restore [--config FILE] [--dry-run]',
    options: { config: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  },
  'keys rotate': {
    summary: 'new NFC master key version for enrolment (the service stopped)',
    usage: 'jurukunci keys rotate [--config FILE]',
    options: { config: { type: 'string' } },
  },
};

export function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    'jurukunci — the server-room door controller (Diskominfo Kabupaten Kudus)',
    '',
    'usage: jurukunci <command> [options]      jurukunci <command> --help',
    '',
    ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}
