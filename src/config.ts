/** Environment and defaults, validated with Zod. CLI flags override the environment. */
import { z } from 'zod';
import path from 'node:path';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  GONGSHU_DATA_DIR: z.string().default('.gongshu'),
  GONGSHU_HOST: z.string().default('127.0.0.1'),
  GONGSHU_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  GONGSHU_PUBLIC_URL: z.string().optional(),
  GONGSHU_MASTER_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hex digits')
    .optional(),
  GONGSHU_ADMIN_PASSWORD: z.string().min(8).optional(),
  GONGSHU_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GONGSHU_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  GONGSHU_SECURE_COOKIES: bool.default(false),
  GONGSHU_SESSION_TTL_MINUTES: z.coerce.number().int().min(5).default(480),
  GONGSHU_METRICS_TOKEN: z.string().min(16).optional(),
  GONGSHU_OUTBOUND_ALLOW: z.string().optional(),
  GONGSHU_TRUST_PROXY: z
    .string()
    .regex(/^[\w.:/, -]+$/, 'comma-separated addresses or CIDR ranges of the reverse proxies')
    .optional(),
  GONGSHU_NODE_CODE: z.string().default('gongshu'),
  GONGSHU_NODE_NAME: z.string().default('公数节点'),
  GONGSHU_NODE_LEVEL: z.enum(['national', 'province', 'city', 'county']).default('city'),
  GONGSHU_NODE_REGION: z
    .string()
    .regex(/^\d{6}$/)
    .default('370300'),
  GONGSHU_AUDIT_CHECKPOINT_EVERY: z.coerce.number().int().min(100).default(10000),
  GONGSHU_UPLOAD_LIMIT_MB: z.coerce.number().int().min(1).default(1024),
  GONGSHU_FULL_RUN_MAX_DELETE_PCT: z.coerce.number().min(0).max(100).default(50),
  GONGSHU_XLSX_EXPANDED_MB: z.coerce.number().int().min(1).default(1024),
  GONGSHU_XLSX_SHARED_STRINGS_MB: z.coerce.number().int().min(1).default(64),
  GONGSHU_TASK_DAYS: z.coerce.number().int().min(1).max(60).default(5),
  GONGSHU_SHARE_DAYS: z.coerce.number().int().min(1).max(60).default(10),
  GONGSHU_OPEN_DAYS: z.coerce.number().int().min(1).max(60).default(5),
  GONGSHU_OBJECTION_ACCEPT_BY: z.enum(['provider', 'bureau']).default('provider'),
  GONGSHU_OBJECTION_ACCEPT_DAYS: z.coerce.number().int().min(1).max(60).default(2),
  GONGSHU_OBJECTION_DAYS: z.coerce.number().int().min(1).max(60).default(5),
  GONGSHU_DEMAND_DAYS: z.coerce.number().int().min(1).max(60).default(3),
  GONGSHU_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be smtp:// or smtps://')
    .optional(),
  GONGSHU_SMTP_FROM: z.string().default('公数 Gongshu <gongshu@localhost>'),
  GONGSHU_STATS_K: z.coerce.number().int().min(2).max(1000).default(5),
  GONGSHU_OPEN_LICENSE: z.enum(['cc-by', 'cc-by-sa', 'cc-zero', 'odc-by', 'odc-odbl', 'other-at']).default('cc-by'),
  GONGSHU_OPEN_CONTACT_EMAIL: z.email().optional(),
  GONGSHU_SHARE_AUTO_UNCONDITIONAL: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  publicUrl: string | undefined;
  masterKeyHex: string | undefined;
  adminPassword: string | undefined;
  logLevel: z.infer<typeof envSchema>['GONGSHU_LOG_LEVEL'];
  bodyLimit: number;
  secureCookies: boolean;
  sessionTtlMinutes: number;
  metricsToken: string | undefined;
  /** the reverse proxies whose X-Forwarded-For is believed (addresses, CIDR ranges, or loopback/linklocal/uniquelocal) */
  trustProxy: string[] | undefined;
  /** internal addresses, ranges or host names outbound HTTP may reach anyway */
  outboundAllow: string[];
  node: { code: string; name: string; level: 'national' | 'province' | 'city' | 'county'; regionCode: string };
  auditCheckpointEvery: number;
  uploadLimitBytes: number;
  /** the share of stored rows (percent) a full run may delete without the caller's confirmation */
  fullRunMaxDeletePct: number;
  /** how far an .xlsx may expand (see kernel/xlsx-guard.ts) */
  xlsx: { maxExpandedBytes: number; maxSharedStringsBytes: number };
  /** working days a department has to rectify problem data */
  taskDays: number;
  /** working days each review step of a sharing application has */
  shareDays: number;
  /** working days to review an application for 有条件开放 data */
  openDays: number;
  /** who accepts (受理) an objection: the provider department directly, or the bureau */
  objectionAcceptBy: 'provider' | 'bureau';
  /** working days to accept an objection */
  objectionAcceptDays: number;
  /** working days for each later step of an objection (handling, the raiser's answer, the bureau's review of a contest) */
  objectionDays: number;
  /** working days to answer a data demand */
  demandDays: number;
  /** notices are also e-mailed to users with an address when set (off by default) */
  smtpUrl: string | undefined;
  smtpFrom: string;
  /** statistics suppress groups of fewer subjects than this */
  statsK: number;
  /** the licence open data is published under (a CKAN licence id; docs/open-data.md) */
  openLicense: 'cc-by' | 'cc-by-sa' | 'cc-zero' | 'odc-by' | 'odc-odbl' | 'other-at';
  /** NODE_ENV=production: no link or IRI is built from a request's Host header */
  production: boolean;
  /** the open data desk's address, the contact point of every open dataset (DCAT) */
  openContactEmail: string | undefined;
  /** 无条件共享 applications are granted without review */
  shareAutoUnconditional: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const cfg: Config = {
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.GONGSHU_DATA_DIR),
    host: e.GONGSHU_HOST,
    port: e.GONGSHU_PORT,
    publicUrl: e.GONGSHU_PUBLIC_URL,
    masterKeyHex: e.GONGSHU_MASTER_KEY,
    adminPassword: e.GONGSHU_ADMIN_PASSWORD,
    logLevel: e.GONGSHU_LOG_LEVEL,
    bodyLimit: e.GONGSHU_BODY_LIMIT,
    secureCookies: e.GONGSHU_SECURE_COOKIES,
    sessionTtlMinutes: e.GONGSHU_SESSION_TTL_MINUTES,
    metricsToken: e.GONGSHU_METRICS_TOKEN,
    node: {
      code: e.GONGSHU_NODE_CODE,
      name: e.GONGSHU_NODE_NAME,
      level: e.GONGSHU_NODE_LEVEL,
      regionCode: e.GONGSHU_NODE_REGION,
    },
    auditCheckpointEvery: e.GONGSHU_AUDIT_CHECKPOINT_EVERY,
    outboundAllow: (e.GONGSHU_OUTBOUND_ALLOW ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
    trustProxy: e.GONGSHU_TRUST_PROXY
      ? e.GONGSHU_TRUST_PROXY.split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : undefined,
    uploadLimitBytes: e.GONGSHU_UPLOAD_LIMIT_MB * 1024 * 1024,
    fullRunMaxDeletePct: e.GONGSHU_FULL_RUN_MAX_DELETE_PCT,
    xlsx: {
      maxExpandedBytes: e.GONGSHU_XLSX_EXPANDED_MB * 1024 * 1024,
      maxSharedStringsBytes: e.GONGSHU_XLSX_SHARED_STRINGS_MB * 1024 * 1024,
    },
    taskDays: e.GONGSHU_TASK_DAYS,
    shareDays: e.GONGSHU_SHARE_DAYS,
    openDays: e.GONGSHU_OPEN_DAYS,
    objectionAcceptBy: e.GONGSHU_OBJECTION_ACCEPT_BY,
    objectionAcceptDays: e.GONGSHU_OBJECTION_ACCEPT_DAYS,
    objectionDays: e.GONGSHU_OBJECTION_DAYS,
    demandDays: e.GONGSHU_DEMAND_DAYS,
    smtpUrl: e.GONGSHU_SMTP_URL,
    smtpFrom: e.GONGSHU_SMTP_FROM,
    statsK: e.GONGSHU_STATS_K,
    openLicense: e.GONGSHU_OPEN_LICENSE,
    openContactEmail: e.GONGSHU_OPEN_CONTACT_EMAIL,
    production: env.NODE_ENV === 'production',
    shareAutoUnconditional: e.GONGSHU_SHARE_AUTO_UNCONDITIONAL,
  };
  const merged = {
    ...cfg,
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  } as Config;
  merged.dataDir = path.resolve(merged.dataDir);
  return merged;
}
