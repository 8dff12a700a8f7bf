/** Publishes a resource straight away (drafted, submitted, approved by the system), for aggregation tests and benchmarks. */
import type { Kernel } from '../../src/kernel/kernel.js';
import { systemCtx } from '../../src/kernel/http/context.js';
import { inTx } from '../../src/kernel/http/tx.js';
import { createResource, listCategories, reviewResource, submitResource } from '../../src/modules/catalog/service.js';
import type { DataItem, ResourceMeta } from '../../src/modules/catalog/schema.js';

export async function publishResource(
  k: Kernel,
  o: {
    department: string;
    name: string;
    items: DataItem[];
    summary?: string;
    shareMethods?: ResourceMeta['shareMethods'];
    shareType?: ResourceMeta['shareType'];
    openType?: ResourceMeta['openType'];
  },
) {
  const ctx = systemCtx('test');
  const cats = await listCategories(ctx, k.db);
  const departmentId = (
    await k.db.selectFrom('kernel.department').select('id').where('name', '=', o.department).executeTakeFirstOrThrow()
  ).id;
  return inTx(k.db, async (tx) => {
    const r = await createResource(ctx, tx, {
      departmentId,
      meta: {
        name: o.name,
        summary: o.summary ?? '测试',
        categoryId: cats.find((c) => c.fullCode === '203')!.id,
        formatClass: 3,
        shareType: o.shareType ?? 'unconditional',
        ...(o.shareType &&
          o.shareType !== 'unconditional' && {
            shareBasis: '《山东省公共数据开放办法》',
            shareCondition: '用于法定职责',
          }),
        shareMethods: o.shareMethods ?? ['interface'],
        openType: o.openType ?? 'none',
        ...(o.openType === 'conditional' && { openCondition: '注册用户申请，经审核后使用' }),
        updateCycle: 'daily',
        relatedCodes: [],
        shandong: {},
      },
      items: o.items,
    });
    await submitResource(ctx, tx, r.id);
    return reviewResource(ctx, tx, r.id, 'approve', undefined);
  });
}
