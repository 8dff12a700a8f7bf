/**
 * Refused calls leave a trace without flooding the log: a 401, 403 or 429 on a data service is
 * counted per caller (app key), route, reason and minute, and each count becomes one audit entry
 * (`access.refused`, with the count) when it is written — every few seconds and at shutdown. A flood
 * of a million forged calls in a minute is one entry per reason; at most MAX_KEYS distinct counts are
 * kept between writes (the rest are summed into one overflow entry).
 */
import type { AuditWriter } from './writer.js';
import { auditOf } from './record.js';
import type { Ctx } from '../http/context.js';

const MAX_KEYS = 10_000;

export interface Refusal {
  /** the app credential, when its signature was right; else null */
  appId: string | null;
  /** the app key the caller sent (unverified when appId is null) */
  appKey: string;
  appName: string | null;
  departmentId: string | null;
  route: string;
  resourceId: string | null;
  status: number;
  code: string;
  ip: string | null;
}

interface Count {
  r: Refusal;
  minute: string;
  count: number;
}

const keyOf = (r: Refusal, minute: string) =>
  `${r.appId ?? r.appKey}|${r.route}|${r.resourceId ?? ''}|${r.code}|${minute}`;

export class RefusalLog {
  private counts = new Map<string, Count>();
  private overflow = 0;
  private timer: NodeJS.Timeout;

  constructor(
    private readonly audit: AuditWriter,
    flushMs = 5000,
    onError: (e: unknown) => void = () => {},
  ) {
    // a flush that fails (the database away) keeps its counts for the next one, and says so
    this.timer = setInterval(() => void this.flush().catch(onError), flushMs);
    this.timer.unref();
  }

  note(r: Refusal, now = new Date()): void {
    this.add({ r, minute: now.toISOString().slice(0, 16), count: 1 });
  }

  private add(c: Count): void {
    const key = keyOf(c.r, c.minute);
    const had = this.counts.get(key);
    if (had) had.count += c.count;
    else if (this.counts.size < MAX_KEYS) this.counts.set(key, { ...c });
    else this.overflow += c.count;
  }

  /** Writes the counts so far as audit entries (resolves once they are committed). */
  async flush(): Promise<number> {
    const counts = [...this.counts.values()];
    const overflow = this.overflow;
    this.counts.clear();
    this.overflow = 0;
    const entries = counts.map(({ r, minute, count }) => {
      const ctx: Ctx = {
        actor: {
          type: r.appId ? 'app' : 'anonymous',
          id: r.appId,
          name: r.appName ?? `app key ${r.appKey.slice(0, 64)}`,
          roles: [],
          departmentId: r.departmentId,
        },
        ip: r.ip,
        requestId: null,
        lang: 'zh-CN',
      };
      return auditOf(ctx, 'access.refused', r.resourceId ? 'resource' : 'route', r.resourceId ?? r.route, {
        minute,
        count,
        status: r.status,
        reason: r.code,
        route: r.route,
        appKey: r.appKey.slice(0, 64),
      });
    });
    if (overflow)
      entries.push(
        auditOf(
          {
            actor: { type: 'system', id: null, name: 'refusals', roles: [], departmentId: null },
            ip: null,
            requestId: null,
            lang: 'zh-CN',
          },
          'access.refused',
          'route',
          '*',
          { overflow, count: overflow },
        ),
      );
    try {
      await Promise.all(entries.map((e) => this.audit.record(e)));
    } catch (e) {
      // not written: the counts go back, to be written with the next flush
      for (const c of counts) this.add(c);
      this.overflow += overflow;
      throw e;
    }
    return entries.length;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
