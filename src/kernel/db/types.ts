/** Kysely table types of the kernel's tables (schema `kernel`). */
import type { ColumnType, Generated } from 'kysely';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type TsNullable = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface NodeTable {
  id: Generated<number>;
  code: string;
  name: string;
  level: 'national' | 'province' | 'city' | 'county';
  region_code: string;
  sign_public_key: string;
  sign_private_key_sealed: string;
  created_at: Ts;
  updated_at: Ts;
}

export interface DepartmentTable {
  id: Generated<string>;
  name: string;
  short_name: string | null;
  uscc: string | null;
  region_code: string;
  is_bureau: ColumnType<boolean, boolean | undefined, boolean>;
  status: ColumnType<'active' | 'disabled', 'active' | 'disabled' | undefined, 'active' | 'disabled'>;
  created_at: Ts;
  updated_at: Ts;
}

export interface AppUserTable {
  id: Generated<string>;
  username: string;
  display_name: string;
  department_id: string;
  roles: string[];
  email: ColumnType<string | null, string | null | undefined, string | null>;
  password_hash: string;
  status: ColumnType<'active' | 'disabled', 'active' | 'disabled' | undefined, 'active' | 'disabled'>;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: TsNullable;
  must_change_password: ColumnType<boolean, boolean | undefined, boolean>;
  password_changed_at: Ts;
  last_login_at: TsNullable;
  created_at: Ts;
  updated_at: Ts;
}

export interface SessionTable {
  id: string;
  user_id: string;
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Ts;
  last_seen_at: Ts;
  expires_at: Ts;
}

export interface LoginFailureTable {
  id: Generated<number>;
  username: string;
  ip: string | null;
  at: Ts;
  /** 'untrusted', or 'device:<id>' for a client holding the account's device cookie */
  scope: Generated<string>;
}

export interface AppCredentialTable {
  id: Generated<string>;
  app_key: string;
  name: string;
  department_id: string;
  secret_sealed: string;
  status: ColumnType<'active' | 'revoked', 'active' | 'revoked' | undefined, 'active' | 'revoked'>;
  created_by: string | null;
  created_at: Ts;
  rotated_at: TsNullable;
  revoked_at: TsNullable;
  last_used_at: TsNullable;
}

export interface AppNonceTable {
  app_key: string;
  nonce: string;
  seen_at: Ts;
}

export interface HolidayTable {
  day: ColumnType<string, string, string>;
  kind: 'off' | 'work';
  note: string | null;
  created_by: string | null;
  created_at: Ts;
}

export interface AuditLogTable {
  seq: number;
  ts: Date;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  department_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  client_ip: string | null;
  request_id: string | null;
  detail: ColumnType<Record<string, unknown>, string, string>;
  prev_hash: string;
  hash: string;
}

export interface AuditCheckpointTable {
  id: Generated<number>;
  seq: number;
  hash: string;
  ts: Date;
  public_key: string;
  signature: string;
}

export interface DB {
  'kernel.node': NodeTable;
  'kernel.department': DepartmentTable;
  'kernel.app_user': AppUserTable;
  'kernel.session': SessionTable;
  'kernel.login_failure': LoginFailureTable;
  'kernel.app_credential': AppCredentialTable;
  'kernel.app_nonce': AppNonceTable;
  'kernel.holiday': HolidayTable;
  'kernel.audit_log': AuditLogTable;
  'kernel.audit_checkpoint': AuditCheckpointTable;
}
