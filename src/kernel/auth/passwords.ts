/** Password hashing with argon2id (@node-rs/argon2) and the password policy. */
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { zxcvbn, zxcvbnOptions } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
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

/*
 * The policy (NIST SP 800-63B's advice with the letters-and-digits rule Chinese 等保 reviews expect):
 * 10 to 128 characters with letters and digits, and not a common or guessable password — judged by
 * zxcvbn-ts (a maintained port of Dropbox's zxcvbn, with its lists of common passwords, names and
 * keyboard patterns): a score below 3 of 4 is refused (the user name counts as known to a guesser).
 */
zxcvbnOptions.setOptions({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
export const MIN_PASSWORD_LENGTH = 10;

export function checkPasswordPolicy(
  password: string,
  field = 'password',
  o: { username?: string | undefined } = {},
): void {
  if (
    password.length < MIN_PASSWORD_LENGTH ||
    password.length > 128 ||
    !/[A-Za-z]/.test(password) ||
    !/\d/.test(password)
  ) {
    fail('AUTH_WEAK_PASSWORD', { field });
  }
  const guess = zxcvbn(password, o.username ? [o.username] : []);
  if (guess.score < 3) {
    fail('AUTH_WEAK_PASSWORD', {
      field,
      zh: '密码过于常见或容易猜到（如 password1、Qwerty12345、含用户名），请换一个',
      en: 'The password is too common or easy to guess (like password1, Qwerty12345, or the user name); choose another',
    });
  }
}

/** A random password that passes the policy (shown once to whoever creates or resets an account). */
export function randomPassword(): string {
  return `Gs${randomBytes(12).toString('base64url')}9`;
}
