/**
 * 商用密码 helpers: SM3 and SM4 from node:crypto (OpenSSL 3), SM2 from sm-crypto-v2
 * (node:crypto cannot set the SM2 signer id; sm-crypto-v2 uses the standard id 1234567812345678).
 * Everything else in Gongshu calls these functions only, so a certified cipher machine can
 * replace the software keys behind this one interface.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';

export function sm3Hex(data: string | Uint8Array): string {
  return createHash('sm3').update(data).digest('hex');
}

export function hmacSm3Hex(key: string | Uint8Array, data: string | Uint8Array): string {
  return createHmac('sm3', key).update(data).digest('hex');
}

/** Constant-time comparison of two hex strings. */
export function hexEqual(a: string, b: string): boolean {
  if (a.length !== b.length || !/^[0-9a-f]*$/i.test(a) || !/^[0-9a-f]*$/i.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** Raw SM4-ECB of one block; used only to check the implementation against GB/T 32907 vectors. */
export function sm4EncryptBlock(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv('sm4-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

const SEALED_PREFIX = 'sm4v1';

function subKeys(masterKey: Buffer): { enc: Buffer; mac: Buffer } {
  if (masterKey.length !== 16) throw new Error('SM4 master key must be 16 bytes');
  return {
    enc: Buffer.from(hmacSm3Hex(masterKey, 'gongshu/enc'), 'hex').subarray(0, 16),
    mac: Buffer.from(hmacSm3Hex(masterKey, 'gongshu/mac'), 'hex'),
  };
}

/**
 * Encrypts a secret with SM4-CBC and authenticates it with HMAC-SM3 (encrypt-then-MAC), keys derived
 * from the master key. Output: `sm4v1.<iv>.<ciphertext>.<mac>` in base64url.
 */
export function sealSecret(masterKey: Buffer, plaintext: string): string {
  const { enc, mac } = subKeys(masterKey);
  const iv = randomBytes(16);
  const c = createCipheriv('sm4-cbc', enc, iv);
  const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  const tag = createHmac('sm3', mac).update(iv).update(ct).digest();
  return [SEALED_PREFIX, iv.toString('base64url'), ct.toString('base64url'), tag.toString('base64url')].join('.');
}

export function openSecret(masterKey: Buffer, sealed: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== SEALED_PREFIX) throw new Error('not a sealed secret');
  const [, ivB, ctB, tagB] = parts as [string, string, string, string];
  const { enc, mac } = subKeys(masterKey);
  const iv = Buffer.from(ivB, 'base64url');
  const ct = Buffer.from(ctB, 'base64url');
  const expected = createHmac('sm3', mac).update(iv).update(ct).digest();
  const tag = Buffer.from(tagB, 'base64url');
  if (tag.length !== expected.length || !timingSafeEqual(tag, expected)) {
    throw new Error('sealed secret failed its integrity check (wrong master key or altered value)');
  }
  const d = createDecipheriv('sm4-cbc', enc, iv);
  return Buffer.concat([d.update(ct), d.final()]).toString('utf8');
}

export interface Sm2KeyPair {
  publicKey: string;
  privateKey: string;
}

export function sm2GenerateKeyPair(): Sm2KeyPair {
  const k = sm2.generateKeyPairHex();
  return { publicKey: k.publicKey, privateKey: k.privateKey };
}

export function sm2PublicKeyOf(privateKey: string): string {
  return sm2.getPublicKeyFromPrivateKey(privateKey);
}

/** An SM2 public key (uncompressed point, hex) as SubjectPublicKeyInfo PEM, for OpenSSL and other verifiers. */
export function sm2PublicKeyPem(publicKeyHex: string): string {
  // SEQUENCE { SEQUENCE { id-ecPublicKey, SM2 curve 1.2.156.10197.1.301 }, BIT STRING (0 unused bits) point }
  const der = Buffer.from(`3059301306072a8648ce3d020106082a811ccf5501822d034200${publicKeyHex}`, 'hex');
  return `-----BEGIN PUBLIC KEY-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END PUBLIC KEY-----\n`;
}

/** SM2 signature (with SM3 Z-value hashing and the standard signer id), DER-encoded hex. */
export function sm2Sign(message: string, privateKey: string): string {
  return sm2.doSignature(message, privateKey, { hash: true, der: true });
}

/** Strict DER: SEQUENCE { INTEGER r, INTEGER s }, short lengths, nothing trailing (no malleable forms). */
function isStrictDerSignature(hex: string): boolean {
  if (!/^(?:[0-9a-f]{2})+$/.test(hex)) return false;
  const b = Buffer.from(hex, 'hex');
  if (b.length < 8 || b[0] !== 0x30 || b[1] !== b.length - 2) return false;
  let i = 2;
  for (let n = 0; n < 2; n++) {
    if (b[i] !== 0x02) return false;
    const len = b[i + 1]!;
    if (len < 1 || len > 33 || i + 2 + len > b.length) return false;
    const first = b[i + 2]!;
    if (first & 0x80) return false; // negative
    if (len > 1 && first === 0 && !(b[i + 3]! & 0x80)) return false; // needless leading zero
    i += 2 + len;
  }
  return i === b.length;
}

export function sm2Verify(message: string, signatureHex: string, publicKey: string): boolean {
  if (!isStrictDerSignature(signatureHex)) return false;
  try {
    return sm2.doVerifySignature(message, signatureHex, publicKey, { hash: true, der: true });
  } catch {
    return false;
  }
}
