/** Zod schemas of the kernel's account API (shared with the web console). */
import { z } from 'zod';
import { ROLES } from '../http/context.js';

export const role = z.enum(ROLES);
export const nodeLevel = z.enum(['national', 'province', 'city', 'county']);
const regionCode = z.string().regex(/^\d{6}$/, '6 位数字 / 6 digits');

export const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
export const changePasswordBody = z.object({
  currentPassword: z.string().min(1).max(256),
  newPassword: z.string().min(1).max(256),
});

export const nodeInfo = z.object({
  code: z.string(),
  name: z.string(),
  level: nodeLevel,
  regionCode: z.string(),
  publicKey: z.string(),
});
export const nodePatch = z.object({
  code: z.string().min(1).max(64).optional(),
  name: z.string().min(2).max(100).optional(),
  level: nodeLevel.optional(),
  regionCode: regionCode.optional(),
});

export const department = z.object({
  id: z.uuid(),
  name: z.string(),
  shortName: z.string().nullable(),
  uscc: z.string().nullable(),
  regionCode: z.string(),
  isBureau: z.boolean(),
  status: z.enum(['active', 'disabled']),
  createdAt: z.string(),
});
export type Department = z.infer<typeof department>;
export const departmentCreate = z.object({
  name: z.string().trim().min(2).max(100),
  shortName: z.string().trim().max(50).nullish(),
  uscc: z.string().trim().max(30),
  regionCode,
});
export const departmentPatch = departmentCreate.partial().extend({ status: z.enum(['active', 'disabled']).optional() });
export const departmentListQuery = z.object({
  q: z.string().max(100).optional(),
  status: z.enum(['active', 'disabled']).optional(),
});

export const user = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  departmentId: z.uuid(),
  departmentName: z.string(),
  roles: z.array(role),
  status: z.enum(['active', 'disabled']),
  mustChangePassword: z.boolean(),
  lockedUntil: z.string().nullable(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});
export type User = z.infer<typeof user>;
export const userCreate = z.object({
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_.-]{2,63}$/, '3–64 位小写字母、数字、_.- / 3–64 of a-z 0-9 _ . -'),
  displayName: z.string().trim().min(1).max(64),
  /** for e-mailed notices (when the node sends e-mail) */
  email: z.email().max(200).nullish(),
  departmentId: z.uuid(),
  roles: z.array(role).min(1),
  password: z.string().max(256).optional(),
});
export const userPatch = z.object({
  displayName: z.string().trim().min(1).max(64).optional(),
  email: z.email().max(200).nullish(),
  departmentId: z.uuid().optional(),
  roles: z.array(role).min(1).optional(),
  status: z.enum(['active', 'disabled']).optional(),
});
export const userListQuery = z.object({
  q: z.string().max(100).optional(),
  departmentId: z.uuid().optional(),
  role: role.optional(),
});

export const me = z.object({ user, csrfToken: z.string(), node: nodeInfo.omit({ publicKey: true }) });

export const appCredential = z.object({
  id: z.uuid(),
  appKey: z.string(),
  name: z.string(),
  departmentId: z.uuid(),
  status: z.enum(['active', 'revoked']),
  createdAt: z.string(),
  rotatedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export const appCredentialCreate = z.object({
  name: z.string().trim().min(2).max(100),
  departmentId: z.uuid().optional(),
});
export const appCredentialSecret = z.object({ credential: appCredential, appSecret: z.string() });
export const okAnswer = z.object({ ok: z.literal(true) });
export const userCreated = z.object({ user, initialPassword: z.string().nullable() });
export const passwordReset = z.object({ password: z.string() });
