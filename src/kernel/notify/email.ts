/**
 * E-mailed notices — optional and off by default: only when GONGSHU_SMTP_URL is set, each notice of
 * the last day that a user with an e-mail address has not been sent yet goes out once (subject: the
 * notice; body: its text and, with GONGSHU_PUBLIC_URL, the link; a kind with templates is written in
 * Chinese, then in English, since the node does not know which its users read). A failure is kept on the notice
 * (`email_error`) and not retried; the bell still has it. Sent with nodemailer (a well-kept SMTP
 * client: TLS, auth and encodings are its business, not ours).
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Kernel } from '../kernel.js';
import { noticeBody, noticeTitle, type NoticeParams } from './templates.js';

const transports = new Map<string, Transporter>();
function transport(url: string): Transporter {
  if (!transports.has(url)) transports.set(url, nodemailer.createTransport(url));
  return transports.get(url)!;
}

export async function sendDueEmails(k: Kernel, limit = 100): Promise<{ sent: number; failed: number }> {
  const url = k.config.smtpUrl;
  if (!url) return { sent: 0, failed: 0 };
  // claim (emailed_at set first, so that no other process sends them too)
  const due = (
    await k.pool.query<{
      id: string;
      kind: string;
      params: NoticeParams | null;
      title: string;
      body: string | null;
      link: string | null;
      email: string;
      display_name: string;
    }>(
      `UPDATE kernel.notification n SET emailed_at = now() FROM kernel.app_user u
     WHERE u.id = n.user_id AND n.id IN (
       SELECT n2.id FROM kernel.notification n2 JOIN kernel.app_user u2 ON u2.id = n2.user_id
       WHERE n2.emailed_at IS NULL AND n2.email_error IS NULL AND n2.created_at > now() - interval '1 day' AND u2.email IS NOT NULL AND u2.status = 'active'
       ORDER BY n2.id LIMIT $1 FOR UPDATE OF n2 SKIP LOCKED)
     RETURNING n.id, n.kind, n.params, n.title, n.body, n.link, u.email, u.display_name`,
      [limit],
    )
  ).rows;
  let sent = 0;
  let failed = 0;
  const base = k.config.publicUrl?.replace(/\/$/, '');
  for (const n of due) {
    const titleEn = noticeTitle(n.kind, n.params, 'en-US');
    const bodyEn = noticeBody(n.kind, n.params, 'en-US');
    const english = titleEn && titleEn !== n.title ? [titleEn, bodyEn].filter(Boolean).join('\n') : null;
    const text = [n.body, english, n.link && base ? `${base}${n.link}` : null, `—— ${k.config.node.name} · 公数`]
      .filter(Boolean)
      .join('\n\n');
    try {
      await transport(url).sendMail({
        from: k.config.smtpFrom,
        to: { name: n.display_name, address: n.email },
        subject: titleEn && titleEn !== n.title ? `${n.title} / ${titleEn}` : n.title,
        text,
      });
      sent++;
    } catch (e) {
      failed++;
      await k.pool.query('UPDATE kernel.notification SET emailed_at = NULL, email_error = $2 WHERE id = $1', [
        n.id,
        String((e as Error).message).slice(0, 300),
      ]);
    }
  }
  return { sent, failed };
}
