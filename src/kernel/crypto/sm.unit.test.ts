import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  hmacSm3Hex,
  openSecret,
  sealSecret,
  sm2GenerateKeyPair,
  sm2PublicKeyOf,
  sm2Sign,
  sm2Verify,
  sm3Hex,
  sm4EncryptBlock,
} from './sm.js';

describe('SM3 (GB/T 32905 vectors)', () => {
  it('hashes "abc"', () => {
    expect(sm3Hex('abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
  it('hashes the 512-bit message', () => {
    expect(sm3Hex('abcd'.repeat(16))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });
});

describe('HMAC-SM3', () => {
  it('matches HMAC built by hand from SM3 (RFC 2104 construction)', () => {
    const key = Buffer.from('gongshu-secret-key');
    const msg = '这是一条需要签名的消息';
    const block = Buffer.alloc(64);
    key.copy(block);
    const ipad = Buffer.from(block.map((b) => b ^ 0x36));
    const opad = Buffer.from(block.map((b) => b ^ 0x5c));
    const inner = createHash('sm3').update(ipad).update(msg).digest();
    const outer = createHash('sm3').update(opad).update(inner).digest('hex');
    expect(hmacSm3Hex(key, msg)).toBe(outer);
  });
});

describe('SM4 (GB/T 32907 vector)', () => {
  it('encrypts the standard block', () => {
    const k = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
    expect(sm4EncryptBlock(k, k).toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
  });

  it('seals and opens a secret, and refuses a wrong key or an altered value', () => {
    const key = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const sealed = sealSecret(key, '数据库密码 P@ss');
    expect(sealed).not.toContain('P@ss');
    expect(openSecret(key, sealed)).toBe('数据库密码 P@ss');
    expect(() => openSecret(Buffer.alloc(16, 1), sealed)).toThrow(/integrity/);
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[2]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[2] = ct.toString('base64url');
    expect(() => openSecret(key, parts.join('.'))).toThrow(/integrity/);
  });

  it('uses a fresh IV each time', () => {
    const key = Buffer.alloc(16, 7);
    expect(sealSecret(key, 'x')).not.toBe(sealSecret(key, 'x'));
  });
});

describe('SM2', () => {
  it('signs and verifies; a changed message or another key fails', () => {
    const kp = sm2GenerateKeyPair();
    expect(sm2PublicKeyOf(kp.privateKey)).toBe(kp.publicKey);
    const sig = sm2Sign('checkpoint|42|abc', kp.privateKey);
    expect(sm2Verify('checkpoint|42|abc', sig, kp.publicKey)).toBe(true);
    expect(sm2Verify('checkpoint|43|abc', sig, kp.publicKey)).toBe(false);
    expect(sm2Verify('checkpoint|42|abc', sig, sm2GenerateKeyPair().publicKey)).toBe(false);
    expect(sm2Verify('checkpoint|42|abc', 'zz' + sig.slice(2), kp.publicKey)).toBe(false);
  });
});
