/**
 * A demo objection and a demo demand, so that the bell, the objection inbox and the bureau's demand
 * queue have something in them on first start: 公安局's consumer objects to an enterprise's name in
 * 企业登记信息 (市场监管局 to accept), and 住建局 asks for housing-lease records (the bureau to answer).
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Ctx, Role } from '../kernel/http/context.js';
import { raise } from '../modules/objection/service.js';
import { submitDemand } from '../modules/demand/service.js';
import { inTx } from '../kernel/http/tx.js';

async function userCtx(k: Kernel, username: string): Promise<Ctx | null> {
  const u = (
    await k.pool.query<{ id: string; display_name: string; roles: Role[]; department_id: string }>(
      'SELECT id, display_name, roles, department_id FROM kernel.app_user WHERE username = $1',
      [username],
    )
  ).rows[0];
  return u
    ? {
        actor: { type: 'user', id: u.id, name: u.display_name, roles: u.roles, departmentId: u.department_id },
        ip: null,
        requestId: null,
        lang: 'zh-CN',
      }
    : null;
}

export async function seedDemoFeedback(k: Kernel): Promise<{ objections: number; demands: number }> {
  const out = { objections: 0, demands: 0 };
  const gaj = await userCtx(k, 'gaj_user');
  const firm = (
    await k.pool.query<{ id: string; table: string }>(
      `SELECT r.id, r.dataset_table AS table FROM catalog.resource r JOIN catalog.resource_version v ON v.resource_id = r.id AND v.version = r.published_version
     WHERE v.meta->>'name' = '企业登记信息' AND r.dataset_table IS NOT NULL LIMIT 1`,
    )
  ).rows[0];
  if (gaj && firm) {
    const row = (
      await k.pool.query<{ tyshxydm: string; qymc: string }>(
        `SELECT tyshxydm::text, qymc::text FROM ds."${firm.table}" ORDER BY tyshxydm LIMIT 1`,
      )
    ).rows[0];
    if (row) {
      await inTx(k.db, (tx) =>
        raise(k, gaj, tx, {
          resourceId: firm.id,
          recordKey: { tyshxydm: row.tyshxydm },
          field: 'qymc',
          proposedValue: `${row.qymc}（已更名）`,
          description: '办理案件时核实，该企业已办理名称变更登记，平台仍为原名称',
          channel: 'console',
        }),
      );
      out.objections++;
    }
  }
  const zjj = await userCtx(k, 'zjj_officer');
  if (zjj) {
    await inTx(k.db, (tx) =>
      submitDemand(k, zjj, tx, {
        title: '房屋租赁备案信息',
        description: '全市住房租赁合同网签备案记录（出租人、承租人、房屋坐落、租期）',
        purpose: '公租房及租赁补贴资格审核，核查申请人租房情况',
        fields: ['承租人姓名', '承租人证件号码', '房屋坐落', '租赁起止日期'],
        legalBasis: '《商品房屋租赁管理办法》《公共租赁住房管理办法》',
        scenario: '住房保障资格审核',
      }),
    );
    out.demands++;
  }
  return out;
}
