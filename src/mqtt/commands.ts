/**
 * Requests on `<base>/<door>/request/<command>`, answered on `.../response/<command>` through a
 * lookup table. Off unless enabled; a rejected request changes nothing. A command is journaled
 * (`command.executed`: what was asked, by whom) before the door acts on it: if that write fails
 * the request is refused and nothing happens, so there is never an act without its record. The
 * door's own event (door.mode_changed, access.granted) then records the effect.
 */
import { Ajv } from 'ajv';
import type { Logger } from 'pino';
import type { MqttCommandName } from '../config/schema.js';
import type { DoorController } from '../door/door-controller.js';
import type { Journal } from '../store/journal.js';
import { scrubPersonalData, stateMessage } from './payloads.js';
import {
  COMMAND_NAMES,
  type CommandErrorCode,
  type CommandName,
  type CommandRequest,
  type CommandResponse,
} from './types.js';

export interface CommandContext {
  enabled: boolean;
  allowed: readonly MqttCommandName[];
  door: DoorController;
  journal: Journal;
  clock: () => Date;
  logger: Logger;
}

const common = {
  by: { type: 'string', minLength: 1, maxLength: 64 },
  transaction: { anyOf: [{ type: 'string', maxLength: 128 }, { type: 'integer' }] },
};
const onOff = {
  type: 'object',
  additionalProperties: false,
  required: ['on'],
  properties: { ...common, on: { type: 'boolean' }, reason: { type: 'string', maxLength: 200 } },
};
const plain = { type: 'object', additionalProperties: false, properties: common };
const REQUEST_SCHEMAS: Record<CommandName, object> = {
  state: plain,
  unlock: plain,
  lockdown: onOff,
  emergency_release: onOff,
};

class CommandError extends Error {
  constructor(
    readonly code: CommandErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = Object.fromEntries(
  COMMAND_NAMES.map((c) => [c, ajv.compile<CommandRequest>(REQUEST_SCHEMAS[c])]),
) as Record<CommandName, ReturnType<typeof ajv.compile<CommandRequest>>>;

type By = { id: string; name: string };
/** Checks a request against the door as it is now; throws CommandError, changes nothing. */
type Plan = (req: CommandRequest, by: By) => (() => void) | null;

export class CommandHandler {
  /** Per command: check first (no side effect), returning the act to run once journaled, or null. */
  private readonly table: Record<CommandName, Plan>;

  constructor(private readonly ctx: CommandContext) {
    this.table = {
      state: () => null,
      unlock: (_req, by) => {
        if (ctx.door.getMode() === 'lockdown')
          throw new CommandError('door_in_lockdown', 'the door is in lockdown; no unlock');
        return () => ctx.door.commandUnlock(by);
      },
      lockdown: (req, by) => this.toggleMode('lockdown', req, by),
      emergency_release: (req, by) => this.toggleMode('emergency_release', req, by),
    };
  }

  private toggleMode(
    mode: 'lockdown' | 'emergency_release',
    req: CommandRequest,
    by: By,
  ): (() => void) | null {
    const current = this.ctx.door.getMode();
    const reason = req.reason ?? `MQTT ${mode} ${req.on ? 'on' : 'off'}`;
    if (req.on) {
      if (current === mode) return null;
      if (current !== 'normal')
        throw new CommandError('not_in_mode', `the door is in ${current}; turn that off first`);
      return () => this.ctx.door.setMode(mode, by, reason);
    }
    if (current === 'normal') return null;
    if (current !== mode) throw new CommandError('not_in_mode', `the door is in ${current}, not ${mode}`);
    return () => this.ctx.door.setMode('normal', by, reason);
  }

  /** Handles one request; returns the response to publish. */
  handle(command: string, raw: Buffer): CommandResponse {
    let transaction: string | number | undefined;
    const fail = (code: CommandErrorCode, message: string): CommandResponse => {
      this.ctx.logger.warn({ command, code }, 'mqtt command refused');
      return {
        status: 'error',
        data: {},
        error: { code, message },
        ...(transaction !== undefined ? { transaction } : {}),
      };
    };
    let req: unknown;
    try {
      req = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch {
      return fail('malformed_request', 'payload is not JSON');
    }
    if (req && typeof req === 'object' && !Array.isArray(req)) {
      const t = (req as { transaction?: unknown }).transaction;
      if ((typeof t === 'string' && t.length <= 128) || Number.isInteger(t))
        transaction = t as string | number;
    }
    if (!(COMMAND_NAMES as readonly string[]).includes(command))
      return fail('unknown_command', `unknown command '${command}'`);
    const name = command as CommandName;
    if (!this.ctx.enabled) return fail('commands_disabled', 'commands are disabled in the configuration');
    if (!this.ctx.allowed.includes(name))
      return fail('command_not_allowed', `command '${name}' is not allowed`);
    const validate = validators[name];
    if (!validate(req)) {
      const why = (validate.errors ?? [])
        .map((e) => `${e.instancePath || '(payload)'} ${e.message}`)
        .join('; ');
      return fail('malformed_request', why);
    }
    const body = req as CommandRequest;
    const by = { id: 'mqtt', name: (scrubPersonalData(body.by ?? 'mqtt') as string).slice(0, 64) };
    const isJournalError = (err: unknown) =>
      (err as Error).message === 'journal_unavailable' ||
      (err as Error).name === 'JournalWriteError' ||
      (err as { code?: unknown }).code === 'journal_unavailable';
    // 1. Check, without acting: a request the door would refuse is refused before any record.
    let act: (() => void) | null;
    try {
      act = this.table[name](body, by);
    } catch (err) {
      if (err instanceof CommandError) return fail(err.code, err.message);
      this.ctx.logger.error({ err, command: name }, 'mqtt command check failed');
      return fail('internal_error', 'command failed');
    }
    // 2. Journal what was asked and by whom. No record, no act.
    try {
      this.ctx.journal.append({
        type: 'command.executed',
        data: {
          via: 'mqtt',
          command: name,
          args: {
            ...(body.on !== undefined ? { on: body.on } : {}),
            ...(body.reason ? { reason: scrubPersonalData(body.reason) } : {}),
          },
          by,
          ...(transaction !== undefined ? { transaction } : {}),
        },
      });
    } catch (err) {
      if (isJournalError(err)) return fail('journal_unavailable', 'the journal is not writable');
      this.ctx.logger.error({ err, command: name }, 'mqtt command not journaled');
      return fail('internal_error', 'command failed');
    }
    // 3. Act. The door refuses (and throws) anything it cannot record itself, so an error here
    // means the door did not change; the journal holds the request, the door no effect event.
    try {
      act?.();
    } catch (err) {
      if (err instanceof CommandError) return fail(err.code, err.message);
      if (isJournalError(err)) return fail('journal_unavailable', 'the journal is not writable');
      this.ctx.logger.error({ err, command: name }, 'mqtt command failed after it was journaled');
      return fail('internal_error', 'command failed');
    }
    return {
      status: 'ok',
      data: stateMessage(this.ctx.door.snapshot(), this.ctx.clock()),
      ...(transaction !== undefined ? { transaction } : {}),
    };
  }
}
