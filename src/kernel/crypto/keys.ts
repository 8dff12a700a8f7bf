/** The node's master key (SM4, 16 bytes): from GONGSHU_MASTER_KEY or a key file in the data dir. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export function loadMasterKey(envHex: string | undefined, dataDir: string): Buffer {
  if (envHex) {
    if (!/^[0-9a-fA-F]{32}$/.test(envHex)) throw new Error('GONGSHU_MASTER_KEY must be 32 hex digits (16 bytes)');
    return Buffer.from(envHex, 'hex');
  }
  const file = path.resolve(dataDir, 'master.key');
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`${file} does not hold a 32-hex-digit key`);
    return Buffer.from(hex, 'hex');
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(16);
  writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}
