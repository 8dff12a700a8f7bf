/** Password hashing with argon2id (@node-rs/argon2) and the password policy. */
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { fail } from '../http/errors.js';

const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

export function checkPasswordPolicy(password: string, field = 'password'): void {
  if (password.length < 8 || password.length > 128 || !/[A-Za-z]/.test(password) || !/\d/.test(password)) {
    fail('AUTH_WEAK_PASSWORD', { field });
  }
}

/** A random password that passes the policy (shown once to whoever creates or resets an account). */
export function randomPassword(): string {
  return `Gs${randomBytes(12).toString('base64url')}9`;
}
