/** RFC 9457 problem+json responses with stable codes and zh-CN / en-US messages. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, codeInfo, type Lang } from './errors.js';
import { fromPgError } from '../db/errors.js';
import type { Problem } from './problem-schema.js';

export type { Problem };

export function langOf(req: FastifyRequest): Lang {
  const h = req.headers['accept-language'];
  const v = (Array.isArray(h) ? h[0] : h) ?? '';
  return /^\s*en\b/i.test(v) ? 'en-US' : 'zh-CN';
}

export function problemOf(err: AppError, lang: Lang, requestId: string): Problem {
  const def = codeInfo(err.code);
  const title = def ? (lang === 'en-US' ? def.en : def.zh) : err.code;
  const p: Problem = {
    type: `https://gongshu.dev/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
    title,
    status: err.status,
    detail: err.messageIn(lang),
    code: err.code,
    instance: `urn:gongshu:request:${requestId}`,
  };
  if (err.field) p.field = err.field;
  if (err.errors)
    p.errors = err.errors.map((e) => ({ field: e.field, message: lang === 'en-US' ? (e.en ?? e.message) : e.message }));
  return p;
}

/** Maps any error thrown while handling a request to an AppError. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors = err.validation.map((v) => {
      const where = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
      const ctx = (err as { validationContext?: string }).validationContext;
      return { field: where || ctx || '', message: v.message ?? 'invalid' };
    });
    const first = errors[0];
    return new AppError('VALIDATION_FAILED', {
      ...(first?.field && { field: first.field }),
      errors,
      zh: `请求参数校验未通过：${errors.map((e) => `${e.field || '(body)'} ${e.message}`).join('；')}`,
      en: `Request validation failed: ${errors.map((e) => `${e.field || '(body)'} ${e.message}`).join('; ')}`,
    });
  }
  const fe = err as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('BODY_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('BAD_JSON');
    default:
      break;
  }
  if (err instanceof URIError) return new AppError('BAD_URL_ENCODING');
  const db = fromPgError(err);
  if (db) return db;
  if (fe.statusCode === 429) return new AppError('RATE_LIMITED');
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500)
    return new AppError('BAD_REQUEST', { en: fe.message, zh: `请求无效：${fe.message}` });
  return new AppError('INTERNAL');
}

export function sendProblem(reply: FastifyReply, err: AppError, req: FastifyRequest): FastifyReply {
  const retry = err.retryAfter ?? (err.status === 503 ? 5 : err.status === 429 ? 60 : undefined);
  if (retry !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(retry))));
  return reply
    .code(err.status)
    .type('application/problem+json; charset=utf-8')
    .send(problemOf(err, langOf(req), req.id));
}
