/**
 * Errors to the catalogue: whatever a route, a hook or fastify itself throws becomes one coded
 * AppError (toAppError), which the JSON API sends as an error body. A plugin that answers in HTML
 * (the console) sets its own handler on its own instance and reuses toAppError, so both speak the
 * same codes.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, errorBody } from '../domain/errors.js';
import { langOf } from './lang.js';

/** The catalogued error for anything thrown while handling a request; logs the unexpected ones. */
export function toAppError(
  err: FastifyError | AppError,
  req: FastifyRequest,
  opts: { bodyLimitBytes: number },
): AppError {
  let appErr: AppError;
  if (err instanceof AppError) {
    appErr = err;
  } else if ((err as FastifyError).validation) {
    const fe = err as FastifyError;
    appErr = new AppError('validation_failed', {
      context: fe.validationContext,
      fields: (fe.validation ?? []).map((v) => ({
        path: v.instancePath || '/',
        message: v.message,
        ...(v.keyword === 'additionalProperties'
          ? { unknown: (v.params as { additionalProperty: string }).additionalProperty }
          : {}),
      })),
    });
  } else if ((err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    appErr = new AppError('body_too_large', { limitBytes: opts.bodyLimitBytes });
  } else if ((err as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    appErr = new AppError('unsupported_media_type');
  } else if (
    (err as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    (err as FastifyError).code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    (err instanceof SyntaxError && (err as FastifyError).statusCode === 400)
  ) {
    appErr = new AppError('malformed_json');
  } else if ((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500) {
    appErr = new AppError('validation_failed', { message: err.message });
  } else {
    req.log.error({ err }, 'unhandled error');
    appErr = new AppError('internal');
  }
  if (appErr.status >= 500) req.log.warn({ code: appErr.code }, 'request failed');
  return appErr;
}

/** The JSON API's error handler: the catalogued error as a body in the caller's language. */
export function jsonErrorHandler(opts: { bodyLimitBytes: number }) {
  return (err: FastifyError | AppError, req: FastifyRequest, reply: FastifyReply): void => {
    const appErr = toAppError(err, req, opts);
    void reply.status(appErr.status).send(errorBody(appErr, langOf(req)));
  };
}

export function jsonNotFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send(errorBody(new AppError('not_found'), langOf(req)));
}

/**
 * The router's own refusals (a path parameter over maxParamLength, a malformed %-escape) would
 * otherwise bypass the error handler: uncoded, a 414 for an over-long id, and echoing the path.
 */
export function routerErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const rule = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'path_parameter_too_long' : 'malformed_url';
  void reply
    .status(400)
    .send(errorBody(new AppError('validation_failed', { context: 'url', rule }), langOf(req)));
}
