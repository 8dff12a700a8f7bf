/**
 * Evidence for an objection: PNG, JPEG or PDF, at most 5 MB each and 5 per objection, sent as the raw
 * request body with its type in Content-Type and its name in the `name` query parameter. The first
 * bytes must be those of the declared type (a renamed executable or an HTML page is refused); the
 * name is kept only as text. Stored in the database with its SM3 digest; served back only to those
 * who may read the objection, as a download (Content-Disposition: attachment, nosniff).
 */
import { sql } from 'kysely';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import { hasRole } from '../../kernel/http/context.js';
import { fail } from '../../kernel/http/errors.js';
import { sm3Hex } from '../../kernel/crypto/sm.js';
import { auditOf } from '../../kernel/audit/record.js';
import { appendInTx } from '../../kernel/audit/append.js';
import type { Tx } from '../../kernel/db/pool.js';
import { canRead } from './read.js';

export const ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024;
export const ATTACHMENTS_PER_OBJECTION = 5;

/** Allowed types and the bytes their content must begin with. */
const SIGNATURES: Record<string, (b: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
};
export const ATTACHMENT_TYPES = Object.keys(SIGNATURES);

/** Checks size, type and content; returns the normalised type. */
export function checkAttachment(contentType: string | undefined, body: Buffer): string {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const matches = SIGNATURES[type];
  if (!matches)
    fail('ATTACHMENT_TYPE', {
      field: 'content-type',
      zh: `不接受“${type || '未声明'}”类型的附件（只接受 PNG、JPEG、PDF）`,
      en: `"${type || 'undeclared'}" attachments are not accepted (PNG, JPEG, PDF only)`,
    });
  if (body.length > ATTACHMENT_MAX_BYTES)
    fail('ATTACHMENT_TOO_LARGE', {
      field: 'body',
      zh: `附件 ${(body.length / 1048576).toFixed(1)} MB，超过 5 MB`,
      en: `The attachment is ${(body.length / 1048576).toFixed(1)} MB, over 5 MB`,
    });
  if (body.length === 0 || !matches(body))
    fail('ATTACHMENT_CONTENT', {
      field: 'body',
      zh: `附件内容不是 ${type}`,
      en: `The attachment's content is not ${type}`,
    });
  return type;
}

/** A file name kept as text: no path, no control characters, at most 200 characters. */
export function cleanName(name: string | undefined, type: string): string {
  const printable = [...(name ?? '')].filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f).join('');
  const base = printable
    .split(/[\\/]/)
    .pop()!
    .replace(/["<>|:*?]/g, '')
    .trim()
    .slice(0, 200);
  return base || `evidence.${type === 'application/pdf' ? 'pdf' : type === 'image/png' ? 'png' : 'jpg'}`;
}

interface Owner {
  raiser_user_id: string | null;
  raiser_type: string;
  raiser_department_id: string | null;
  provider_department_id: string;
  status: string;
}

async function owner(tx: Tx, id: number): Promise<Owner> {
  const o = (
    await sql<Owner>`SELECT raiser_user_id, raiser_type, raiser_department_id, provider_department_id, status FROM objection.objection WHERE id = ${id}`.execute(
      tx,
    )
  ).rows[0];
  if (!o) fail('NOT_FOUND');
  return o;
}

export async function addAttachment(
  ctx: Ctx,
  tx: Tx,
  id: number,
  contentType: string | undefined,
  name: string | undefined,
  body: Buffer,
) {
  const o = await owner(tx, id);
  // the raiser adds evidence, the provider its answer's; auditors only read
  if (!canRead(ctx, o) || (hasRole(ctx, 'auditor') && !hasRole(ctx, 'admin', 'officer', 'consumer'))) fail('NOT_FOUND');
  if (o.status === 'archived')
    fail('OBJECTION_STATE', {
      zh: '已归档的异议不能再添加附件',
      en: 'An archived objection takes no more attachments',
    });
  const type = checkAttachment(contentType, body);
  const clean = cleanName(name, type);
  const digest = sm3Hex(body);
  await sql`SELECT 1 FROM objection.objection WHERE id = ${id} FOR UPDATE`.execute(tx);
  const n = Number(
    (
      await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM objection.attachment WHERE objection_id = ${id}`.execute(tx)
    ).rows[0]!.n,
  );
  if (n >= ATTACHMENTS_PER_OBJECTION)
    fail('ATTACHMENT_LIMIT', {
      zh: `每件异议最多 ${ATTACHMENTS_PER_OBJECTION} 个附件`,
      en: `At most ${ATTACHMENTS_PER_OBJECTION} attachments per objection`,
    });
  const r = (
    await sql<{
      id: string;
    }>`INSERT INTO objection.attachment (objection_id, name, content_type, size, sm3, content, uploaded_by, uploaded_by_department_id)
    VALUES (${id}, ${clean}, ${type}, ${body.length}, ${digest}, ${body}, ${ctx.actor.name}, ${ctx.actor.departmentId}) RETURNING id`.execute(
      tx,
    )
  ).rows[0]!;
  await appendInTx(tx, [
    auditOf(ctx, 'objection.attach', 'objection', String(id), {
      attachment: Number(r.id),
      name: clean,
      type,
      size: body.length,
      sm3: digest,
    }),
  ]);
  return { id: Number(r.id), name: clean, contentType: type, size: body.length, sm3: digest };
}

export async function getAttachment(k: Kernel, ctx: Ctx, tx: Tx, id: number, attachmentId: number) {
  const o = await owner(tx, id);
  if (!canRead(ctx, o)) fail('NOT_FOUND');
  const a = (
    await sql<{
      name: string;
      content_type: string;
      content: Buffer;
    }>`SELECT name, content_type, content FROM objection.attachment WHERE id = ${attachmentId} AND objection_id = ${id}`.execute(
      tx,
    )
  ).rows[0];
  if (!a) fail('NOT_FOUND');
  await k.audit.record(
    auditOf(ctx, 'objection.attachment.read', 'objection', String(id), { attachment: attachmentId }),
  );
  return a;
}
