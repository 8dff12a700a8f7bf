/** Seeds the demo city's catalog: each resource drafted by its department, then approved by the bureau. */
import type { Kernel } from '../kernel/kernel.js';
import { systemCtx } from '../kernel/http/context.js';
import { inTx } from '../kernel/http/tx.js';
import {
  createCategory,
  createResource,
  listCategories,
  reviewResource,
  submitResource,
  suggestItem,
} from '../modules/catalog/service.js';
import type { DataItem, ResourceMeta } from '../modules/catalog/schema.js';
import { DEMO_CATALOG } from './catalog-data.js';
import { DEMO_DEPARTMENTS } from './demo.js';

const SHARE = { u: 'unconditional', c: 'conditional', n: 'none' } as const;

/** The 主题 categories the demo uses beyond the default tree (1xx 基础 and 2xx 主题 exist already). */
const EXTRA_CATEGORIES: [parent: string, code: string, name: string][] = [['1', '06', '公共数据治理']];

function item(spec: string): DataItem {
  const [name, label, type, length, ...flags] = spec.split(':') as [string, string, string?, string?, ...string[]];
  const s = suggestItem(name, label);
  const t = (type || s.type) as DataItem['type'];
  return {
    name,
    label,
    type: t,
    ...(t === 'string' || t === 'code' ? { length: Number(length) || s.length || 100 } : {}),
    ...(t === 'decimal' ? { precision: s.precision ?? 18, scale: s.scale ?? 2 } : {}),
    ...(t === 'code' ? { codeTable: `${name}_dm` } : {}),
    primaryKey: flags.includes('pk'),
    incremental: flags.includes('inc'),
    ...(s.identityKind ? { identityKind: s.identityKind } : {}),
    grade: s.grade,
    masking: s.masking,
  };
}

export async function seedDemoCatalog(k: Kernel): Promise<number> {
  const ctx = systemCtx('seed-demo');
  const db = k.db;
  if ((await db.selectFrom('kernel.department').select('id').limit(1).executeTakeFirst()) === undefined) return 0;
  const existing = await listCategories(ctx, db);
  for (const [parent, code, name] of EXTRA_CATEGORIES) {
    if (!existing.some((c) => c.fullCode === parent + code)) {
      await inTx(db, (tx) =>
        createCategory(ctx, tx, { parentId: existing.find((c) => c.fullCode === parent)!.id, code, name }),
      );
    }
  }
  const cats = new Map((await listCategories(ctx, db)).map((c) => [c.fullCode, c.id]));
  const depts = new Map(
    (await db.selectFrom('kernel.department').select(['id', 'name']).execute()).map((d) => [d.name, d.id]),
  );
  let n = 0;
  for (const [key, resources] of Object.entries(DEMO_CATALOG)) {
    const d = DEMO_DEPARTMENTS.find((x) => x.key === key)!;
    const departmentId = depts.get(d.name);
    if (!departmentId) continue;
    for (const [category, name, summary, share, open, cycle, items] of resources) {
      const meta: ResourceMeta = {
        name,
        summary,
        categoryId: cats.get(category) ?? cats.get(category.slice(0, 1))!,
        formatClass: 3,
        shareType: SHARE[share],
        ...(share === 'c'
          ? {
              shareCondition: '限于履行法定职责所需，按最少够用原则申请',
              shareBasis: '《山东省公共数据开放办法》《淄博市公共数据管理办法》',
            }
          : {}),
        ...(share === 'n' ? { shareBasis: '涉及个人敏感信息，依据《个人信息保护法》不予共享，可提供核验服务' } : {}),
        shareMethods: share === 'n' ? ['interface'] : ['interface', 'database'],
        openType: SHARE[open],
        ...(open === 'c' ? { openCondition: '实名注册用户申请后开放' } : {}),
        updateCycle: cycle as ResourceMeta['updateCycle'],
        relatedCodes: [],
        shandong: { metadataMaintainer: d.name, metadataVersion: '1.0' },
      };
      await inTx(db, async (tx) => {
        const r = await createResource(ctx, tx, { departmentId, meta, items: items.map(item) });
        await submitResource(ctx, tx, r.id);
        await reviewResource(ctx, tx, r.id, 'approve', '演示数据');
      });
      n++;
    }
  }
  return n;
}
