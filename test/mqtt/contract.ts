/** Loads docs/mqtt/asyncapi.yaml with the official parser and validates published payloads against it. */
import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { Ajv, type ValidateFunction } from 'ajv';

export interface Contract {
  /** Validation errors for one published message ([] when it conforms); unknown topics are an error. */
  check(topic: string, payload: string): string[];
}

export async function loadContract(): Promise<Contract> {
  const { document, diagnostics } = await new Parser().parse(readFileSync('docs/mqtt/asyncapi.yaml', 'utf8'));
  if (!document)
    throw new Error(`asyncapi.yaml does not parse: ${diagnostics.map((d) => d.message).join('; ')}`);
  const ajv = new Ajv({ strict: false, allErrors: true });
  const routes: { re: RegExp; validators: ValidateFunction[]; text: boolean }[] = [];
  for (const ch of document.channels()) {
    const address = ch.address() ?? '';
    const re = new RegExp(
      `^${address
        .split(/(\{[^}]+\})/)
        .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
        .join('')}$`,
    );
    const validators: ValidateFunction[] = [];
    let text = false;
    for (const m of ch.messages()) {
      if (m.contentType() === 'text/plain') text = true;
      const schema = m.payload()?.json();
      if (schema) validators.push(ajv.compile(schema as object));
    }
    routes.push({ re, validators, text });
  }
  return {
    check(topic, payload) {
      const route = routes.find((r) => r.re.test(topic));
      if (!route) return [`${topic}: no channel in the contract`];
      let value: unknown = payload;
      if (!route.text && payload !== '') {
        try {
          value = JSON.parse(payload);
        } catch {
          return [`${topic}: payload is not JSON`];
        }
      }
      for (const v of route.validators) if (v(value)) return [];
      return route.validators.flatMap((v) =>
        (v.errors ?? []).map((e) => `${topic}: ${e.instancePath} ${e.message}`),
      );
    },
  };
}
