/**
 * The one error a configuration can fail with: every problem found, each as `path message`, in
 * the catalogue as `config_invalid`. `source` names the file the configuration came from, when
 * there was one.
 */
import { AppError } from '../domain/errors.js';

export class ConfigError extends AppError {
  constructor(
    readonly errors: string[],
    readonly source?: string,
  ) {
    super(
      'config_invalid',
      source ? { errors, file: source } : { errors },
      `invalid configuration${source ? ` (${source})` : ''}:\n  ${errors.join('\n  ')}`,
    );
    this.name = 'ConfigError';
  }
}
