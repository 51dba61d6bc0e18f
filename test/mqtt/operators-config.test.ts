/**
 * The configuration of signed commands (src/config/schema.ts mqtt.operators, mqtt-rules.ts):
 * commands need an operator to sign them, whatever the broker; operator ids and keys are unique;
 * a key is at least 32 characters; the dashboard login is not an operator.
 */
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { OPERATOR_LIST, OPERATORS } from './signing.js';

function errorsOf(mqtt: Record<string, unknown>): string[] {
  try {
    loadConfig({ env: {}, overrides: { mqtt } });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.errors;
  }
  return [];
}

describe('config: mqtt operators', () => {
  it('commands need at least one operator, with the embedded broker or an external one', () => {
    for (const url of ['', 'mqtt://10.0.0.2:1883'])
      assert.ok(
        errorsOf({ url, commands: { enabled: true } }).some((e) =>
          /^mqtt\.commands\.enabled needs at least one operator/.test(e),
        ),
        url,
      );
    assert.deepEqual(errorsOf({ commands: { enabled: true }, operators: OPERATOR_LIST }), []);
    assert.equal(loadConfig({ env: {} }).mqtt.commands.maxAgeSeconds, 30);
  });

  it('refuses a duplicate id, a shared key, a short key, an unknown role, and an operator as the dashboard', () => {
    const dup = errorsOf({ operators: [OPERATORS.kasi, { ...OPERATORS.desk, id: 'kasi' }] });
    assert.ok(
      dup.some((e) => /^mqtt\.operators\.1\.id 'kasi' is used by another operator/.test(e)),
      dup.join(),
    );
    const shared = errorsOf({ operators: [OPERATORS.kasi, { ...OPERATORS.desk, key: OPERATORS.kasi.key }] });
    assert.ok(
      shared.some((e) => /^mqtt\.operators\.1\.key is the key of another operator/.test(e)),
      shared.join(),
    );
    assert.ok(errorsOf({ operators: [{ ...OPERATORS.kasi, key: 'short' }] }).length > 0);
    assert.ok(errorsOf({ operators: [{ ...OPERATORS.kasi, role: 'root' }] }).length > 0);
    const dash = errorsOf({ operators: [OPERATORS.kasi], embedded: { username: 'kasi', password: 'p' } });
    assert.ok(
      dash.some((e) => /dashboard login is read-only/.test(e)),
      dash.join(),
    );
  });
});
