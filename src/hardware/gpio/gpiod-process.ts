/**
 * Running the gpiod tools as child processes: one-shot commands (gpioget, gpiodetect, the final
 * gpioset), long-running holders and monitors (gpioset --mode=signal, gpiomon) with the tail of
 * their stderr kept for health, and stopping them. What the relay and the inputs share.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Logger } from 'pino';
import { PI_HEADER_CHIP_LABELS } from './chip-base.js';
import { parseGpiodetect, pickHeaderChip } from './gpiod-parse.js';

export interface ChardevContext {
  /** The chip argument for the tools (name, path, number or label); resolved once by the factory. */
  chip(): Promise<string>;
  /** Environment for the tools (PATH decides which gpioset runs). */
  env?: NodeJS.ProcessEnv | undefined;
  /** First restart delay after a tool died; doubles up to 30 s. */
  restartDelayMs?: number | undefined;
  /** How long start() watches a fresh gpioset for an immediate failure (busy line, bad chip). */
  startSettleMs?: number | undefined;
  logger?: Logger | undefined;
}

/** Restarts of a dead tool back off from ctx.restartDelayMs up to this. */
export const TOOL_RESTART_MAX_MS = 30_000;
export const TOOL_RESTART_FIRST_MS = 1000;

export function runTool(
  cmd: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: env ?? process.env, timeout: 5000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** Resolves the chip: as configured, or the Pi's header chip found by gpiodetect. */
export async function resolveChardevChip(
  configured: string,
  label: string,
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  if (configured) return configured;
  const { stdout } = await runTool('gpiodetect', [], env);
  const chip = pickHeaderChip(parseGpiodetect(stdout), label);
  if (!chip) {
    throw new Error(
      `gpiodetect lists no ${label || PI_HEADER_CHIP_LABELS.join('/')} chip; set hardware.gpio.chardevChip`,
    );
  }
  return chip.name;
}

export interface ToolProcess {
  child: ChildProcess;
  /** The last 500 characters the tool wrote to stderr, trimmed. */
  stderr(): string;
}

/** Spawns a long-running tool; stdout is piped only for tools whose output is read (gpiomon). */
export function spawnTool(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv | undefined,
  stdout: 'ignore' | 'pipe',
): ToolProcess {
  const child = spawn(cmd, args, { env: env ?? process.env, stdio: ['ignore', stdout, 'pipe'] });
  let tail = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    tail = (tail + d).slice(-500);
  });
  return { child, stderr: () => tail.trim() };
}

/** How a tool's exit reads in health: `gpioset exited (SIGKILL): <its stderr>`. */
export function exitDetail(
  cmd: string,
  tool: ToolProcess,
  code: number | null,
  signal: NodeJS.Signals | null,
): string {
  const err = tool.stderr();
  return `${cmd} exited (${signal ?? code})${err ? `: ${err}` : ''}`;
}

/** SIGTERM, then SIGKILL after 2 s; resolves once the tool has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 2000);
  try {
    await exited;
  } finally {
    clearTimeout(force);
  }
}
