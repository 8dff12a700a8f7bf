/** Catalog fixtures for tests. */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { as, type Session } from './http.js';
import type { DataItem, ResourceMeta } from '../../src/modules/catalog/schema.js';

export async function categoryId(app: FastifyInstance, s: Session, fullCode: string): Promise<string> {
  const res = await app.inject(as(s, { method: 'GET', url: '/api/v1/catalog/categories' }));
  const c = (res.json() as { id: string; fullCode: string }[]).find((x) => x.fullCode === fullCode);
  expect(c, `category ${fullCode}`).toBeDefined();
  return c!.id;
}

export function meta(categoryId: string, over: Partial<ResourceMeta> = {}): ResourceMeta {
  return {
    name: '企业登记信息',
    summary: '本市登记注册的各类企业的基本登记信息，包括名称、统一社会信用代码、法定代表人、注册资本、成立日期和住所。',
    categoryId,
    formatClass: 3,
    shareType: 'unconditional',
    shareMethods: ['interface'],
    openType: 'conditional',
    openCondition: '注册用户可下载',
    updateCycle: 'daily',
    relatedCodes: [],
    shandong: {},
    ...over,
  };
}

export const ITEMS: DataItem[] = [
  {
    name: 'uscc',
    label: '统一社会信用代码',
    type: 'string',
    length: 18,
    primaryKey: true,
    incremental: false,
    identityKind: 'uscc',
    grade: 1,
    masking: 'none',
  },
  {
    name: 'name',
    label: '企业名称',
    type: 'string',
    length: 200,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
  {
    name: 'legal_rep',
    label: '法定代表人',
    type: 'string',
    length: 50,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'name',
  },
  {
    name: 'reg_capital',
    label: '注册资本（万元）',
    type: 'decimal',
    precision: 18,
    scale: 2,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
  {
    name: 'established',
    label: '成立日期',
    type: 'date',
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
  {
    name: 'updated_at',
    label: '更新时间',
    type: 'datetime',
    primaryKey: false,
    incremental: true,
    grade: 1,
    masking: 'none',
  },
];
