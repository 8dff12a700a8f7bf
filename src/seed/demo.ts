/**
 * The demo seed: a node for 淄博市 (370300) with its real departments by name, synthetic but valid
 * USCCs, users of every role and app credentials. Idempotent: what exists is left as it is.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Kernel } from '../kernel/kernel.js';
import { systemCtx } from '../kernel/http/context.js';
import type { Role } from '../kernel/http/context.js';
import { inTx } from '../kernel/http/tx.js';
import { appendInTx } from '../kernel/audit/append.js';
import { auditOf } from '../kernel/audit/record.js';
import { createDepartment } from '../kernel/auth/departments.js';
import { createUser } from '../kernel/auth/users.js';
import { createCredential } from '../kernel/auth/credentials.js';
import { Synth } from '../kernel/synth/index.js';
import { seedDemoCatalog } from './catalog.js';
import { seedDemoData } from './data.js';
import { seedDemoFeedback } from './feedback.js';

export const DEMO_DEPARTMENTS = [
  { key: 'dsj', name: '淄博市大数据局', short: '市大数据局', bureau: true },
  { key: 'scjg', name: '淄博市市场监督管理局', short: '市场监管局' },
  { key: 'gaj', name: '淄博市公安局', short: '公安局' },
  { key: 'rsj', name: '淄博市人力资源和社会保障局', short: '人社局' },
  { key: 'mzj', name: '淄博市民政局', short: '民政局' },
  { key: 'zrzy', name: '淄博市自然资源和规划局', short: '自然资源和规划局' },
  { key: 'wjw', name: '淄博市卫生健康委员会', short: '卫健委' },
  { key: 'zjj', name: '淄博市住房和城乡建设局', short: '住建局' },
  { key: 'ybj', name: '淄博市医疗保障局', short: '医保局' },
  { key: 'xzsp', name: '淄博市行政审批服务局', short: '行政审批服务局' },
  { key: 'jyj', name: '淄博市教育局', short: '教育局' },
  { key: 'jtj', name: '淄博市交通运输局', short: '交通运输局' },
  { key: 'sthj', name: '淄博市生态环境局', short: '生态环境局' },
] as const;

export interface DemoSeedResult {
  departments: number;
  resources: number;
  /** demo rows loaded into open resources */
  rows: number;
  users: { username: string; roles: Role[]; department: string }[];
  adminPassword: string | null;
  demoPassword: string;
  appsFile: string | null;
}

export async function seedDemo(
  k: Kernel,
  opts: { adminPassword?: string | undefined; demoPassword?: string | undefined; catalog?: boolean } = {},
): Promise<DemoSeedResult> {
  const ctx = systemCtx('seed-demo');
  const synth = new Synth({ seed: 370300 });
  const demoPassword = opts.demoPassword ?? process.env.GONGSHU_DEMO_PASSWORD ?? 'Zibo2026demo';
  const result: DemoSeedResult = {
    departments: 0,
    resources: 0,
    rows: 0,
    users: [],
    adminPassword: null,
    demoPassword,
    appsFile: null,
  };
  const apps: { department: string; name: string; appKey: string; appSecret: string }[] = [];

  await inTx(k.db, async (tx) => {
    await tx
      .updateTable('kernel.node')
      .set({ code: 'zibo', name: '淄博市', level: 'city', region_code: '370300', updated_at: new Date() })
      .execute();
    await appendInTx(tx, [
      auditOf(ctx, 'node.update', 'node', 'zibo', { seed: 'demo', name: '淄博市', regionCode: '370300' }),
    ]);

    const deptIds = new Map<string, string>();
    for (const d of DEMO_DEPARTMENTS) {
      const uscc = synth.uscc('370300', 'government');
      const existing = await tx
        .selectFrom('kernel.department')
        .select('id')
        .where('name', '=', d.name)
        .executeTakeFirst();
      const bureau =
        'bureau' in d
          ? await tx.selectFrom('kernel.department').select('id').where('is_bureau', '=', true).executeTakeFirst()
          : undefined;
      if (existing) {
        deptIds.set(d.key, existing.id);
      } else if (bureau) {
        // the bureau made at first start takes the demo's name
        await tx
          .updateTable('kernel.department')
          .set({ name: d.name, short_name: d.short, uscc, region_code: '370300' })
          .where('id', '=', bureau.id)
          .execute();
        deptIds.set(d.key, bureau.id);
        result.departments++;
      } else {
        const created = await createDepartment(ctx, tx, {
          name: d.name,
          shortName: d.short,
          uscc,
          regionCode: '370300',
          isBureau: 'bureau' in d,
        });
        deptIds.set(d.key, created.id);
        result.departments++;
      }
    }

    const wanted: { username: string; displayName: string; dept: string; roles: Role[] }[] = [
      { username: 'admin', displayName: '系统管理员', dept: 'dsj', roles: ['admin'] },
      { username: 'auditor', displayName: '安全审计员', dept: 'dsj', roles: ['auditor'] },
      { username: 'dsj_officer', displayName: '大数据局数据专员', dept: 'dsj', roles: ['officer'] },
    ];
    for (const d of DEMO_DEPARTMENTS.filter((x) => !('bureau' in x))) {
      wanted.push({
        username: `${d.key}_officer`,
        displayName: `${d.short}数据专员 ${synth.name()}`,
        dept: d.key,
        roles: ['officer'],
      });
    }
    for (const key of ['gaj', 'rsj', 'mzj', 'ybj', 'xzsp']) {
      const d = DEMO_DEPARTMENTS.find((x) => x.key === key)!;
      wanted.push({
        username: `${key}_user`,
        displayName: `${d.short}业务系统用户 ${synth.name()}`,
        dept: key,
        roles: ['consumer'],
      });
    }
    for (const u of wanted) {
      if (await tx.selectFrom('kernel.app_user').select('id').where('username', '=', u.username).executeTakeFirst())
        continue;
      const password = u.username === 'admin' ? opts.adminPassword : demoPassword;
      const r = await createUser(ctx, tx, {
        username: u.username,
        displayName: u.displayName,
        departmentId: deptIds.get(u.dept)!,
        roles: u.roles,
        password,
      });
      if (u.username === 'admin') result.adminPassword = r.initialPassword;
      const dept = DEMO_DEPARTMENTS.find((x) => x.key === u.dept)!;
      result.users.push({ username: u.username, roles: u.roles, department: dept.short });
    }

    const hasApps = await tx.selectFrom('kernel.app_credential').select('id').limit(1).executeTakeFirst();
    if (!hasApps) {
      for (const key of ['gaj', 'rsj', 'xzsp']) {
        const d = DEMO_DEPARTMENTS.find((x) => x.key === key)!;
        const c = await createCredential(ctx, tx, k.masterKey, {
          name: `${d.short}业务系统`,
          departmentId: deptIds.get(key)!,
        });
        apps.push({
          department: d.short,
          name: c.credential.name,
          appKey: c.credential.appKey,
          appSecret: c.appSecret,
        });
      }
    }
  });

  // the demo catalog, unless it is there already
  if (
    opts.catalog !== false &&
    !(await k.db
      .selectFrom('catalog.resource' as never)
      .select('id' as never)
      .limit(1)
      .executeTakeFirst())
  ) {
    result.resources = await seedDemoCatalog(k);
    result.rows = await seedDemoData(k);
    await seedDemoFeedback(k);
  }
  if (apps.length > 0) {
    result.appsFile = path.join(k.config.dataDir, 'demo-apps.json');
    writeFileSync(result.appsFile, JSON.stringify(apps, null, 2) + '\n', { mode: 0o600 });
  }
  return result;
}
