/**
 * The rules a schema cannot say, run by validation (src/config/rules.ts and its parts): one BCM
 * pin per GPIO line, unique reader ids, the options each reader driver needs, NFC name patterns
 * that compile, one serial device per reader. Each problem is `path message`, all at once.
 */
import assert from 'node:assert/strict';
import { ConfigError, validateConfig } from '../../src/config/load.js';
import { AppError } from '../../src/domain/errors.js';

function errorsOf(input: unknown): string[] {
  try {
    validateConfig(input);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.errors;
  }
  assert.fail('expected a ConfigError');
}

describe('config/rules', () => {
  it('a ConfigError is the catalogue’s config_invalid, carrying every error', () => {
    const err = new ConfigError(['a b', 'c d']);
    assert.ok(err instanceof AppError);
    assert.equal(err.name, 'ConfigError');
    assert.equal(err.code, 'config_invalid');
    assert.equal(err.status, 500);
    assert.deepEqual(err.details, { errors: ['a b', 'c d'] });
    assert.equal(err.message, 'invalid configuration:\n  a b\n  c d');
  });

  describe('GPIO pins', () => {
    it('two lines on one pin are refused, naming both', () => {
      assert.deepEqual(errorsOf({ hardware: { driver: 'gpio-sysfs', gpio: { exitButton: { pin: 17 } } } }), [
        'hardware.gpio.exitButton.pin BCM 17 is used by two lines (also hardware.gpio.relay.pin)',
      ]);
    });

    it('counts tamper and fire alarm only when wired, and every clash is listed', () => {
      const gpio = { tamper: { pin: 17 }, fireAlarm: { pin: 27 } };
      assert.doesNotThrow(() => validateConfig({ hardware: { driver: 'gpio-chardev', gpio } }));
      const wired = { tamper: { enabled: true, pin: 17 }, fireAlarm: { enabled: true, pin: 27 } };
      assert.deepEqual(errorsOf({ hardware: { driver: 'gpio-chardev', gpio: wired } }), [
        'hardware.gpio.tamper.pin BCM 17 is used by two lines (also hardware.gpio.relay.pin)',
        'hardware.gpio.fireAlarm.pin BCM 27 is used by two lines (also hardware.gpio.doorContact.pin)',
      ]);
    });

    it('the sim driver uses no pins, so its gpio section is not checked', () => {
      assert.doesNotThrow(() =>
        validateConfig({ hardware: { driver: 'sim', gpio: { exitButton: { pin: 17 } } } }),
      );
    });
  });

  describe('readers', () => {
    it('ids are unique', () => {
      assert.deepEqual(
        errorsOf({
          readers: [
            { id: 'entry', role: 'entry', driver: 'sim' },
            { id: 'exit', role: 'exit', driver: 'sim' },
            { id: 'entry', role: 'exit', driver: 'sim' },
          ],
        }),
        ["readers.2.id 'entry' is already the id of readers.0"],
      );
    });

    it('an nfc reader needs its options, and its name pattern must compile', () => {
      const errors = errorsOf({
        readers: [
          { id: 'a', role: 'entry', driver: 'nfc' },
          { id: 'b', role: 'exit', driver: 'nfc', nfc: { namePattern: 'ACR122U(' } },
          { id: 'c', role: 'enrol', driver: 'nfc', nfc: { namePattern: '^acs acr1252' } },
        ],
      });
      assert.equal(errors.length, 2, errors.join('\n'));
      assert.equal(errors[0], "readers.0 must have required property 'nfc' (the nfc driver's options)");
      assert.match(errors[1]!, /^readers\.1\.nfc\.namePattern is not a valid regular expression: /);
    });

    it('a qr-serial reader needs its options (the schema’s rule), and a device serves one reader', () => {
      const missing = errorsOf({ readers: [{ id: 'qr', role: 'entry', driver: 'qr-serial' }] });
      assert.ok(missing.includes("readers.0 must have required property 'serial'"), missing.join('\n'));
      const serial = { path: '/dev/ttyACM0' };
      assert.deepEqual(
        errorsOf({
          readers: [
            { id: 'qr1', role: 'entry', driver: 'qr-serial', serial },
            { id: 'qr2', role: 'exit', driver: 'qr-serial', serial },
          ],
        }),
        ["readers.1.serial.path '/dev/ttyACM0' is already the device of readers.0"],
      );
    });

    it('fills in the driver options’ defaults from the schema', () => {
      const [nfc, qr] = validateConfig({
        readers: [
          { id: 'n', role: 'entry', driver: 'nfc', nfc: { namePattern: 'ACR122U' } },
          { id: 'q', role: 'exit', driver: 'qr-serial', serial: { path: '/dev/ttyACM0' } },
        ],
      }).readers;
      assert.deepEqual(nfc?.nfc, { namePattern: 'ACR122U', debounceMs: 1500, feedback: true });
      assert.deepEqual(qr?.serial, {
        path: '/dev/ttyACM0',
        baudRate: 9600,
        terminator: 'any',
        maxLineLength: 512,
        maxLinesPerChunk: 32,
        maxDebounceEntries: 256,
        debounceMs: 2000,
        reconnectMinMs: 250,
        reconnectMaxMs: 5000,
      });
    });
  });

  describe('firmware bridge', () => {
    it('the bridge driver needs its serial device', () => {
      assert.deepEqual(errorsOf({ hardware: { driver: 'bridge' } }), [
        "hardware.bridge must have required property 'path' (the bridge driver's serial device)",
      ]);
    });

    it('fills in the link defaults from the schema', () => {
      const c = validateConfig({ hardware: { driver: 'bridge', bridge: { path: '/dev/ttyUSB0' } } });
      assert.deepEqual(c.hardware.bridge, {
        path: '/dev/ttyUSB0',
        baudRate: 115200,
        heartbeatMs: 500,
        heartbeatTimeoutMs: 2000,
        maxPulseMs: 10000,
        rexPulseMs: 5000,
        rexMode: 'hostAbsent',
        reconnectMinMs: 250,
        reconnectMaxMs: 5000,
        autoResetFaults: true,
      });
    });

    it('the heartbeat must come within its timeout', () => {
      const bridge = { path: '/dev/ttyUSB0', heartbeatMs: 2000, heartbeatTimeoutMs: 2000 };
      assert.deepEqual(errorsOf({ hardware: { driver: 'bridge', bridge } }), [
        'hardware.bridge.heartbeatMs 2000 must be less than hardware.bridge.heartbeatTimeoutMs 2000',
      ]);
    });

    it('a bridge-wiegand reader needs the bridge driver, and there is one Wiegand port', () => {
      const readers = [
        { id: 'entry', role: 'entry', driver: 'bridge-wiegand' },
        { id: 'entry2', role: 'entry', driver: 'bridge-wiegand' },
      ];
      assert.deepEqual(errorsOf({ readers }), [
        "readers.0.driver 'bridge-wiegand' needs hardware.driver 'bridge'",
        "readers.1.driver 'bridge-wiegand' needs hardware.driver 'bridge'",
      ]);
      assert.deepEqual(
        errorsOf({ hardware: { driver: 'bridge', bridge: { path: '/dev/ttyUSB0' } }, readers }),
        ['readers.1 the bridge has one Wiegand reader, already readers.0'],
      );
    });

    it('the bridge driver uses no Pi pins, so its gpio section is not checked', () => {
      assert.doesNotThrow(() =>
        validateConfig({
          hardware: { driver: 'bridge', bridge: { path: '/dev/ttyUSB0' }, gpio: { exitButton: { pin: 17 } } },
        }),
      );
    });
  });

  it('lists the problems of every part together', () => {
    const errors = errorsOf({
      hardware: { driver: 'gpio-sysfs', gpio: { doorContact: { pin: 22 } } },
      readers: [
        { id: 'x', role: 'entry', driver: 'nfc', nfc: { namePattern: '[' } },
        { id: 'x', role: 'exit', driver: 'sim' },
      ],
      mqtt: { url: 'mqtt://broker', ca: '/ca.pem' },
    });
    assert.deepEqual(
      errors.map((e) => e.split(' ')[0]),
      ['hardware.gpio.exitButton.pin', 'readers.0.nfc.namePattern', 'readers.1.id', 'mqtt.ca'],
    );
  });

  it('runs once the schema holds: schema errors come alone', () => {
    const errors = errorsOf({ http: { port: 'x' }, readers: [{ id: 'x', role: 'entry', driver: 'nfc' }] });
    assert.deepEqual(errors, ['http.port must be integer']);
  });
});
