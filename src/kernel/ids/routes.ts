/** GB/T 2260 region codes for forms (search by name or code, or the children of a code). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../http/access.js';
import { currentRegions } from './regions.js';
import { region, regionQuery } from './schema.js';

export function regionRoutes(app: FastifyInstance): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/regions',
    {
      config: { access: access.anyUser },
      schema: {
        tags: ['regions'],
        summary: '行政区划代码 / Region codes (GB/T 2260)',
        querystring: regionQuery,
        response: { 200: z.array(region) },
      },
    },
    async (req) => {
      const { q, parent, limit } = req.query;
      const out = [];
      for (const r of currentRegions().values()) {
        if (parent && r.parent !== parent && r.code !== parent) continue;
        if (q && !r.name.includes(q) && !r.code.startsWith(q)) continue;
        out.push(r);
        if (out.length >= limit) break;
      }
      return out;
    },
  );
}
