/**
 * The one error a configuration can fail with: every problem found, each as `path message`, in
 * the catalogue as `config_invalid`.
 */
import { AppError } from '../domain/errors.js';

export class ConfigError extends AppError {
  constructor(readonly errors: string[]) {
    super('config_invalid', { errors }, `invalid configuration:\n  ${errors.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}
