/** The worked example in docs/sharing.md verifies, and stops verifying when its message is altered. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sm2PublicKeyPem, sm2Verify } from '../../kernel/crypto/sm.js';

const doc = readFileSync(new URL('../../../docs/sharing.md', import.meta.url), 'utf8');
const example = doc.slice(doc.indexOf('### Worked example'));
const after = (label: string) => example.split(`${label}:\n`)[1]!.split('\n\n')[0]!.trim();

describe('the signed-decision example in docs/sharing.md', () => {
  it('verifies with the key it gives, in both of its forms', () => {
    const publicKey = after('publicKey (04‖x‖y)');
    const message = after('message');
    const signature = after('signature').split('\n')[0]!;
    expect(sm2PublicKeyPem(publicKey).trim()).toBe(after('publicKeyPem'));
    expect(sm2Verify(message, signature, publicKey)).toBe(true);
    expect(sm2Verify(message.replace('approve', 'reject'), signature, publicKey)).toBe(false);
    expect(JSON.parse(message)).toMatchObject({ step: 'provider', decision: 'approve' });
  });
});
