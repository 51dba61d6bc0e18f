/**
 * The Config types are derived from the schema (FromSchema). These assertions are checked by tsc:
 * a field builder that loses its `as const`, or a default that stops making a field required,
 * turns one of them false and fails the type-check. The runtime part keeps mocha honest.
 */
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/load.js';
import type {
  Config,
  GpioBias,
  GpioConfig,
  GpioInputConfig,
  MqttCommandName,
  MqttConfig,
  ReaderConfig,
} from '../../src/config/schema.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const holds = <T extends true>(): T => true as T;

describe('config/schema types', () => {
  it('are derived with literal unions and required defaulted fields', () => {
    holds<Equal<MqttCommandName, 'state' | 'unlock' | 'lockdown' | 'emergency_release'>>();
    holds<Equal<GpioBias, 'as-is' | 'pull-up' | 'pull-down' | 'disable'>>();
    holds<Equal<Config['version'], 1>>();
    // Builders (seconds(), gpioPin(), gpioInput()) keep their literal types.
    holds<
      Equal<
        Config['door'],
        {
          unlockSeconds: number;
          heldOpenSeconds: number;
          remoteUnlockRoles: ('admin' | 'superadmin' | 'operator')[];
        }
      >
    >();
    holds<Equal<GpioConfig['relay'], { pin: number; activeLow: boolean }>>();
    holds<Equal<GpioInputConfig, { pin: number; activeLow: boolean; debounceMs: number; bias: GpioBias }>>();
    holds<
      Equal<
        GpioConfig['tamper'],
        { enabled: boolean; pin: number; activeLow: boolean; debounceMs: number; bias: GpioBias }
      >
    >();
    // Optional blocks stay optional; their defaulted fields are filled in by validation.
    holds<
      Equal<ReaderConfig['nfc'], { namePattern: string; debounceMs: number; feedback: boolean } | undefined>
    >();
    holds<
      Equal<MqttConfig['embedded'], { host: string; port: number; username: string; password: string }>
    >();
    holds<
      Equal<Config['log']['level'], 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'>
    >();
    const c: Config = validateConfig({});
    assert.equal(c.log.level, 'info');
  });
});
