/**
 * Pagination convention for every list endpoint: `?page=1&pageSize=20&sort=-createdAt`
 * (1-based page, pageSize ≤ 200, sort = a field name, `-` for descending). Responses are
 * `{ items, total, page, pageSize }`.
 */
import { z } from 'zod';

export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
  sort: z.string().max(64).optional(),
});
export type PageQuery = z.infer<typeof pageQuery>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  });
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** Resolves `sort` against a whitelist of sortable fields; unknown fields fall back to the default. */
export function parseSort<K extends string>(
  sort: string | undefined,
  allowed: Record<string, K>,
  fallback: { column: K; desc: boolean },
): { column: K; desc: boolean } {
  if (!sort) return fallback;
  const desc = sort.startsWith('-');
  const key = desc ? sort.slice(1) : sort;
  // own keys only: `__proto__` or `constructor` must not find Object.prototype's members
  const column = Object.hasOwn(allowed, key) ? allowed[key] : undefined;
  return column ? { column, desc } : fallback;
}
