/**
 * The audit log as an Excel workbook (.xlsx), streamed row by row (exceljs' streaming writer), for
 * auditors' own records. Same filters and department scope as the list; the export is audited.
 */
import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from '../xlsx.js';
import type { Kernel } from '../kernel.js';
import type { Ctx } from '../http/context.js';
import { requireRole } from '../auth/authz.js';
import { fail } from '../http/errors.js';
import { auditOf } from './record.js';
import { listAudit, type AuditFilter } from './service.js';

export const EXPORT_MAX_ROWS = 100_000;

const HEADERS = {
  'zh-CN': [
    '序号',
    '时间',
    '操作者类型',
    '操作者',
    '操作者 ID',
    '部门 ID',
    '动作',
    '对象类型',
    '对象 ID',
    '客户端 IP',
    '请求 ID',
    '详情',
    '哈希',
  ],
  'en-US': [
    'No.',
    'Time',
    'Actor type',
    'Actor',
    'Actor id',
    'Department id',
    'Action',
    'Target type',
    'Target id',
    'Client IP',
    'Request id',
    'Detail',
    'Hash',
  ],
};

export async function exportAudit(
  k: Kernel,
  ctx: Ctx,
  filter: AuditFilter,
): Promise<{ stream: Readable; rows: number }> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const first = await listAudit(ctx, k.db, { ...filter, page: 1, pageSize: 1 });
  if (first.total > EXPORT_MAX_ROWS) {
    fail('BAD_REQUEST', {
      zh: `符合条件的审计记录有 ${first.total} 条，超过单次导出上限 ${EXPORT_MAX_ROWS} 条，请缩小时间范围`,
      en: `${first.total} entries match, more than the ${EXPORT_MAX_ROWS} one export may hold; narrow the time range`,
    });
  }
  // recorded before the file leaves: the access is on the record even if the download is cut
  await k.audit.record(auditOf(ctx, 'audit.export', 'audit_log', null, { filter, rows: first.total }));
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  const ws = wb.addWorksheet(ctx.lang === 'en-US' ? 'Audit log' : '审计日志');
  ws.columns = HEADERS[ctx.lang].map((header, i) => ({
    header,
    width: [8, 22, 10, 24, 38, 38, 24, 16, 38, 16, 38, 60, 66][i],
  }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  void (async () => {
    try {
      for (let page = 1; (page - 1) * 1000 < first.total; page++) {
        const p = await listAudit(ctx, k.db, { ...filter, page, pageSize: 1000, sort: 'seq' });
        for (const e of p.items) {
          ws.addRow([
            e.seq,
            new Date(e.ts),
            e.actorType,
            e.actorName,
            e.actorId,
            e.departmentId,
            e.action,
            e.targetType,
            e.targetId,
            e.clientIp,
            e.requestId,
            JSON.stringify(e.detail),
            e.hash,
          ]).commit();
        }
      }
      ws.commit();
      await wb.commit();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return { stream: out, rows: first.total };
}
