/**
 * CKAN's Action API, as clients call it: every action on GET (query string) and POST (a JSON body or
 * a form), under /api/3/action/ and /api/action/ (ckanapi's path). Parameters are read by the
 * action's own Zod schema; any error is answered in CKAN's envelope with CKAN's status: 409
 * Validation Error with the fields' messages, 404 Not Found Error, 403 Authorization Error, 409
 * Search Error, 400 Bad Request (an unknown action, a body that is not JSON).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import { access } from '../../kernel/http/access.js';
import { AppError } from '../../kernel/http/errors.js';
import { CkanError, LICENCES, type CkanEnv } from './ckan.js';
import { ckanFailure, ckanOk } from './ckan-schema.js';

export interface CkanAction<P extends z.ZodType = z.ZodType> {
  name: string;
  /** what help_show answers */
  doc: string;
  params: P;
  result: z.ZodType;
  run: (p: z.infer<P>, req: FastifyRequest, env: CkanEnv) => Promise<unknown>;
}
export const defineAction = <P extends z.ZodType>(a: CkanAction<P>): CkanAction<P> => a;

export const PREFIXES = ['/api/3/action', '/api/action'] as const;
const docs = new Map<string, string>();

/** The node's public address: GONGSHU_PUBLIC_URL, or (outside production) the request's own. */
export function publicBase(k: Kernel, req: FastifyRequest): string {
  if (!k.config.publicUrl && k.config.production) throw new AppError('PUBLIC_URL_REQUIRED');
  return (k.config.publicUrl ?? `${req.protocol}://${req.headers.host ?? 'localhost'}`).replace(/\/$/, '');
}
export const envOf = (k: Kernel, req: FastifyRequest): CkanEnv => ({
  base: publicBase(k, req),
  licence: k.config.openLicense as keyof typeof LICENCES,
});

/** the help link of an answer (relative in production without a public address: an error must still be answered) */
const helpOf = (k: Kernel, req: FastifyRequest, name: string) => {
  const base =
    k.config.publicUrl ?? (k.config.production ? '' : `${req.protocol}://${req.headers.host ?? 'localhost'}`);
  return `${base.replace(/\/$/, '')}/api/3/action/help_show?name=${name}`;
};

function failure(reply: FastifyReply, help: string, e: CkanError) {
  return reply.code(e.status).send({
    help,
    success: false,
    error: { __type: e.type, ...(e.fields ?? { message: e.message }) },
  });
}

/** A module's CKAN errors: an AppError of the platform in CKAN's terms. */
export function asCkan(e: unknown): CkanError | null {
  if (e instanceof CkanError) return e;
  if (!(e instanceof AppError)) return null;
  if (e.status === 404) return new CkanError(404, 'Not Found Error', `Not found: ${e.en}`);
  if (e.status === 401 || e.status === 403) return new CkanError(403, 'Authorization Error', `Access denied: ${e.en}`);
  if (e.status === 429) return new CkanError(429, 'Too Many Requests', e.en);
  if (e.status >= 500) return new CkanError(e.status, 'Internal Server Error', e.en);
  return new CkanError(409, 'Validation Error', e.en, { message: [e.en] });
}

/** The fields' messages of a failed parse, as CKAN's Validation Error lists them. */
function fieldsOf(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of error.issues) (out[i.path.join('.') || 'message'] ??= []).push(i.message);
  return out;
}

/** Registers actions (each on GET and POST under both prefixes; GET under /api/3/action/ documented). */
export function registerActions(app: FastifyInstance, k: Kernel, actions: CkanAction[]): void {
  for (const a of actions) docs.set(a.name, a.doc);
  void app.register(async (inst) => {
    inst.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    inst.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
      // a parameter refused before the action (a NUL character, say) is CKAN's Validation Error naming it
      if (err instanceof AppError && err.field && err.status === 400)
        return reply.code(409).send({
          help: helpOf(k, req, 'help_show'),
          success: false,
          error: { __type: 'Validation Error', [err.field]: [err.en] },
        });
      const code = err instanceof AppError ? err.status : err.statusCode;
      const status = code && code < 500 ? code : 500;
      const text = err instanceof AppError ? err.en : err.message;
      const msg = status === 500 ? 'Internal Server Error' : `Bad request - ${text}`;
      if (status === 500) req.log.error(err);
      return reply.code(status).send({
        help: helpOf(k, req, 'help_show'),
        success: false,
        error: { __type: status === 500 ? 'Internal Server Error' : 'Bad Request', message: msg },
      });
    });
    const r = inst.withTypeProvider<ZodTypeProvider>();
    for (const a of actions) {
      const handler = async (req: FastifyRequest, reply: FastifyReply) => {
        const help = helpOf(k, req, a.name);
        const raw = {
          ...(req.query as object),
          ...(req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as object) : {}),
        };
        const parsed = a.params.safeParse(raw);
        if (!parsed.success)
          return failure(
            reply,
            help,
            new CkanError(409, 'Validation Error', 'Validation Error', fieldsOf(parsed.error)),
          );
        try {
          return { help, success: true as const, result: await a.run(parsed.data, req, envOf(k, req)) };
        } catch (e) {
          const c = asCkan(e);
          if (c) return failure(reply, help, c);
          throw e;
        }
      };
      const response = {
        200: ckanOk(a.result),
        400: ckanFailure,
        403: ckanFailure,
        404: ckanFailure,
        409: ckanFailure,
      };
      for (const prefix of PREFIXES)
        for (const method of ['GET', 'POST'] as const)
          r.route({
            method,
            url: `${prefix}/${a.name}`,
            config: { access: access.public },
            schema: {
              tags: ['open data (CKAN API)'],
              summary: `CKAN ${a.name}`,
              description: a.doc,
              response,
              ...((prefix !== '/api/3/action' || method !== 'GET') && { hide: true }),
            },
            handler,
          });
    }
  });
}

/** help_show, and the answer to an action no one registered. */
export function registerHelp(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  for (const prefix of PREFIXES)
    for (const method of ['GET', 'POST'] as const)
      r.route({
        method,
        url: `${prefix}/:name`,
        config: { access: access.public },
        schema: { hide: true, params: z.object({ name: z.string().max(100) }) },
        handler: async (req, reply) =>
          reply.code(400).send({
            help: helpOf(k, req, 'help_show'),
            success: false,
            error: { __type: 'Bad Request', message: `Bad request - Action name not known: ${req.params.name}` },
          }),
      });
  registerActions(app, k, [
    defineAction({
      name: 'help_show',
      doc: "Returns an action's documentation. Parameters: name (the action's name).",
      params: z.object({ name: z.string().min(1).max(100) }),
      result: z.string(),
      run: async (p) => {
        const d = docs.get(p.name);
        if (!d) throw new CkanError(404, 'Not Found Error', `Not found: Action function not found: ${p.name}`);
        return d;
      },
    }),
  ]);
}
