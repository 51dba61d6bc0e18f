/**
 * Requests on `<base>/<door>/request/<command>`, answered on `.../response/<command>` through a
 * lookup table. Off unless enabled; a rejected request changes nothing. Every request is signed by
 * a configured operator (command-auth.ts): the caller is that operator with its configured role,
 * and what it may ask the door is the door rules' answer (src/domain/door-modes.ts), as over HTTP.
 * A command is journaled (`command.executed`: what was asked, by whom) before the door acts on it:
 * if that write fails the request is refused and nothing happens, so there is never an act without
 * its record. The door's own event (door.mode_changed, access.granted) then records the effect. A
 * refusal is journaled too (`command.refused`, at a bounded rate).
 */
import { Ajv } from 'ajv';
import type { Logger } from 'pino';
import type { MqttCommandName } from '../config/schema.js';
import type { DoorCaller, DoorVerdict } from '../domain/door-modes.js';
import { AppError, ERRORS } from '../domain/errors.js';
import type { DoorMode } from '../domain/types.js';
import type { DoorController } from '../door/door-controller.js';
import { type Journal, JournalWriteError } from '../store/journal.js';
import type { CommandAuth } from './command-auth.js';
import { scrubPersonalData, stateMessage } from './payloads.js';
import { RefusalJournal } from './refusal-journal.js';
import {
  COMMAND_ERROR_CODES,
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
  /** Verifies the operator's signature and the request's freshness. */
  auth: CommandAuth;
}

const common = {
  transaction: { anyOf: [{ type: 'string', maxLength: 128 }, { type: 'integer' }] },
  operator: { type: 'string', minLength: 1, maxLength: 64 },
  timestamp: { type: 'integer', minimum: 0 },
  nonce: { type: 'string', minLength: 16, maxLength: 128 },
  signature: { type: 'string', maxLength: 128 },
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

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = Object.fromEntries(
  COMMAND_NAMES.map((c) => [c, ajv.compile<CommandRequest>(REQUEST_SCHEMAS[c])]),
) as Record<CommandName, ReturnType<typeof ajv.compile<CommandRequest>>>;

function isCommandErrorCode(code: string): code is CommandErrorCode {
  return (COMMAND_ERROR_CODES as readonly string[]).includes(code);
}

/**
 * Checks a request against the door as it is now, through the door rules; throws a coded AppError
 * and changes nothing. Returns the act to run once journaled, or null when there is nothing to do.
 */
type Plan = (req: CommandRequest, caller: DoorCaller) => (() => void) | null;

export class CommandHandler {
  /** Per command: check first (no side effect), returning the act to run once journaled, or null. */
  private readonly table: Record<CommandName, Plan>;
  private readonly refusals: RefusalJournal;

  constructor(private readonly ctx: CommandContext) {
    this.refusals = new RefusalJournal(ctx.journal, ctx.clock, ctx.logger);
    this.table = {
      state: () => null,
      unlock: (_req, caller) =>
        this.planned(ctx.door.checkUnlock(caller), () => ctx.door.commandUnlock(caller)),
      lockdown: (req, caller) => this.toggleMode('lockdown', req, caller),
      emergency_release: (req, caller) => this.toggleMode('emergency_release', req, caller),
    };
  }

  private planned(verdict: DoorVerdict, act: () => void): (() => void) | null {
    if (!verdict.ok) throw new AppError(verdict.code);
    return verdict.noop ? null : act;
  }

  /**
   * `on` asks for the mode; `off` asks to leave that mode for normal, so it means nothing while
   * the door is in the other special mode (not_in_mode). Which of these the caller may do is the
   * door rules' answer.
   */
  private toggleMode(
    mode: 'lockdown' | 'emergency_release',
    req: CommandRequest,
    caller: DoorCaller,
  ): (() => void) | null {
    const current = this.ctx.door.getMode();
    const reason = req.reason ?? `MQTT ${mode} ${req.on ? 'on' : 'off'}`;
    if (!req.on && current !== 'normal' && current !== mode)
      throw new AppError('not_in_mode', { mode: current, requested: mode });
    const to: DoorMode = req.on ? mode : 'normal';
    return this.planned(this.ctx.door.checkMode(to, caller), () => this.ctx.door.setMode(to, caller, reason));
  }

  /** Handles one request; returns the response to publish. */
  handle(command: string, raw: Buffer): CommandResponse {
    let transaction: string | number | undefined;
    let operator: string | undefined;
    const fail = (code: CommandErrorCode, detail?: string): CommandResponse => {
      this.ctx.logger.warn({ command, code, operator }, 'mqtt command refused');
      // A journal that cannot write refuses on its own; recording that in the journal cannot work.
      // With commands off there is nothing to refuse on record: every request is refused alike.
      if (code !== 'journal_unavailable' && this.ctx.enabled)
        this.refusals.record({
          command: command.slice(0, 64),
          reason: code,
          ...(operator !== undefined ? { operator: operator.slice(0, 64) } : {}),
          ...(transaction !== undefined ? { transaction } : {}),
        });
      return {
        status: 'error',
        data: {},
        error: { code, message: detail ? `${ERRORS[code].en}: ${detail}` : ERRORS[code].en },
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
      return fail('unknown_command', `'${command}'`);
    const name = command as CommandName;
    if (!this.ctx.enabled) return fail('commands_disabled');
    if (!this.ctx.allowed.includes(name)) return fail('command_not_allowed', `'${name}'`);
    const validate = validators[name];
    if (!validate(req)) {
      const why = (validate.errors ?? [])
        .map((e) => `${e.instancePath || '(payload)'} ${e.message}`)
        .join('; ');
      return fail('malformed_request', why);
    }
    const body = req as CommandRequest;
    operator = body.operator;
    // Who asked is the operator whose key signed the request, with its configured role.
    const verified = this.ctx.auth.verify(name, body as CommandRequest & Record<string, unknown>);
    if (!verified.ok) return fail(verified.code);
    const caller: DoorCaller = verified.caller;
    const by = { id: caller.id, name: caller.name };
    /** A coded refusal passes through; a journal that cannot write is journal_unavailable. */
    const codeOf = (err: unknown): CommandErrorCode | null => {
      if (err instanceof AppError) return isCommandErrorCode(err.code) ? err.code : null;
      return err instanceof JournalWriteError ? 'journal_unavailable' : null;
    };
    // 1. Check, without acting: a request the door would refuse is refused before any record.
    let act: (() => void) | null;
    try {
      act = this.table[name](body, caller);
    } catch (err) {
      const code = codeOf(err);
      if (code) return fail(code);
      this.ctx.logger.error({ err, command: name }, 'mqtt command check failed');
      return fail('internal_error');
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
      if (codeOf(err) === 'journal_unavailable') return fail('journal_unavailable');
      this.ctx.logger.error({ err, command: name }, 'mqtt command not journaled');
      return fail('internal_error');
    }
    // 3. Act. The door refuses (and throws) anything it cannot record itself, so an error here
    // means the door did not change; the journal holds the request, the door no effect event.
    try {
      act?.();
    } catch (err) {
      const code = codeOf(err);
      if (code) return fail(code);
      this.ctx.logger.error({ err, command: name }, 'mqtt command failed after it was journaled');
      return fail('internal_error');
    }
    return {
      status: 'ok',
      data: stateMessage(this.ctx.door.snapshot(), this.ctx.clock()),
      ...(transaction !== undefined ? { transaction } : {}),
    };
  }
}
