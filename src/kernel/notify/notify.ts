/**
 * Notifications: a notice goes to people (named users, a department's officers or members, the
 * bureau's administrators) as rows of their bell in the console, and — for every department among
 * the recipients — to that department's active webhooks as a signed delivery (webhooks.ts). Written
 * inside the caller's transaction, so a notice exists exactly when the change it tells of committed.
 */
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/pool.js';
import type { Lang } from '../http/errors.js';
import { noticeBody, noticeTitle, type NoticeParams } from './templates.js';

export interface Audience {
  /** user ids */
  users?: (string | null | undefined)[];
  /** every active officer of these departments */
  officersOf?: (string | null | undefined)[];
  /** every active officer and consumer of these departments (e.g. an app's department) */
  membersOf?: (string | null | undefined)[];
  /** the bureau (administrators) */
  admins?: boolean;
}

export interface Notice {
  kind: string;
  /** the title as written (in Chinese); with `params` and a template for the kind, it is written for each reader instead */
  title?: string;
  params?: NoticeParams;
  /** the body as written; a kind with a body template writes it from `params` for each reader instead */
  body?: string | null;
  /** console path, e.g. /objections?id=12 */
  link?: string | null;
  subject?: { type: string; id: string | number };
}

const ids = (xs: (string | null | undefined)[] | undefined) => [...new Set((xs ?? []).filter((x): x is string => !!x))];

/** Writes the notice for every recipient and queues the webhook deliveries; returns the recipients' count. */
export async function notify(db: Tx, to: Audience, n: Notice, nodeCode = 'gongshu'): Promise<number> {
  const users = ids(to.users);
  const officers = ids(to.officersOf);
  const members = ids(to.membersOf);
  const title = n.title ?? noticeTitle(n.kind, n.params, 'zh-CN') ?? n.kind;
  const body = noticeBody(n.kind, n.params, 'zh-CN') ?? n.body ?? null;
  const params = n.params ? JSON.stringify(n.params) : null;
  const subjectType = n.subject?.type ?? null;
  const subjectId = n.subject ? String(n.subject.id) : null;
  const rows = (
    await sql<{ department_id: string }>`
    INSERT INTO kernel.notification (user_id, kind, title, body, link, subject_type, subject_id, params)
    SELECT u.id, ${n.kind}, ${title}, ${body}, ${n.link ?? null}, ${subjectType}, ${subjectId}, ${params}::jsonb
    FROM kernel.app_user u
    WHERE u.status = 'active' AND (
      u.id = ANY (${users}::uuid[])
      OR (u.department_id = ANY (${officers}::uuid[]) AND 'officer' = ANY (u.roles))
      OR (u.department_id = ANY (${members}::uuid[]) AND u.roles && ARRAY['officer', 'consumer'])
      OR (${to.admins ?? false} AND 'admin' = ANY (u.roles)))
    RETURNING (SELECT department_id FROM kernel.app_user WHERE id = user_id)::text AS department_id`.execute(db)
  ).rows;
  const departments = [...new Set([...rows.map((r) => r.department_id), ...officers, ...members])];
  if (departments.length) {
    const event = {
      id: randomUUID(),
      node: nodeCode,
      kind: n.kind,
      title,
      titleEn: noticeTitle(n.kind, n.params, 'en-US') ?? title,
      params: n.params ?? null,
      body,
      bodyEn: noticeBody(n.kind, n.params, 'en-US') ?? body,
      link: n.link ?? null,
      subject: n.subject ?? null,
      at: new Date().toISOString(),
    };
    await sql`INSERT INTO kernel.webhook_delivery (webhook_id, event)
      SELECT w.id, ${JSON.stringify(event)}::jsonb FROM kernel.webhook w
      WHERE w.status = 'active' AND w.department_id = ANY (${departments}::uuid[]) AND (cardinality(w.kinds) = 0 OR ${n.kind} = ANY (w.kinds))`.execute(
      db,
    );
  }
  return rows.length;
}

export interface NotificationDto {
  id: number;
  kind: string;
  title: string;
  body: string | null;
  link: string | null;
  subject: { type: string; id: string } | null;
  createdAt: string;
  read: boolean;
}

export async function myNotifications(
  db: Tx,
  userId: string,
  q: { unread?: boolean | undefined; page: number; pageSize: number },
  lang: Lang = 'zh-CN',
) {
  const unreadOnly = q.unread ?? false;
  const [items, counts] = await Promise.all([
    sql<{
      id: string;
      kind: string;
      title: string;
      body: string | null;
      link: string | null;
      subject_type: string | null;
      subject_id: string | null;
      created_at: Date;
      read_at: Date | null;
      params: NoticeParams | null;
    }>`
      SELECT id, kind, title, body, link, subject_type, subject_id, created_at, read_at, params FROM kernel.notification
      WHERE user_id = ${userId} AND (${!unreadOnly} OR read_at IS NULL) ORDER BY id DESC LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`.execute(
      db,
    ),
    sql<{
      total: number;
      unread: number;
    }>`SELECT count(*) FILTER (WHERE ${!unreadOnly} OR read_at IS NULL)::int AS total, count(*) FILTER (WHERE read_at IS NULL)::int AS unread
      FROM kernel.notification WHERE user_id = ${userId}`.execute(db),
  ]);
  return {
    items: items.rows.map((r): NotificationDto => ({
      id: Number(r.id),
      kind: r.kind,
      title: noticeTitle(r.kind, r.params, lang) ?? r.title,
      body: noticeBody(r.kind, r.params, lang) ?? r.body,
      link: r.link,
      subject: r.subject_type && r.subject_id ? { type: r.subject_type, id: r.subject_id } : null,
      createdAt: r.created_at.toISOString(),
      read: r.read_at !== null,
    })),
    total: counts.rows[0]!.total,
    unread: counts.rows[0]!.unread,
    page: q.page,
    pageSize: q.pageSize,
  };
}

/** Marks one notice (or, without an id, all) of the user read; another user's notice is simply not found. */
export async function markRead(db: Tx, userId: string, id?: number): Promise<number> {
  const r =
    await sql`UPDATE kernel.notification SET read_at = now() WHERE user_id = ${userId} AND read_at IS NULL AND (${id ?? null}::bigint IS NULL OR id = ${id ?? null})`.execute(
      db,
    );
  return Number(r.numAffectedRows ?? 0);
}
