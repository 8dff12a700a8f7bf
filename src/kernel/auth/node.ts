/** The node (节点): one Gongshu deployment, its level, region and SM2 signing key. */
import { sealSecret, openSecret, sm2GenerateKeyPair, sm2PublicKeyOf, sm2Sign } from '../crypto/sm.js';
import type { Db, Tx } from '../db/pool.js';
import type { Signer } from '../audit/checkpoint.js';
import type { Ctx } from '../http/context.js';
import { requireRole } from './authz.js';
import { appendInTx } from '../audit/append.js';
import { auditOf } from '../audit/record.js';
import { fail } from '../http/errors.js';
import { isCurrentRegion } from '../ids/regions.js';

export type NodeLevel = 'national' | 'province' | 'city' | 'county';

export interface NodeInfo {
  code: string;
  name: string;
  level: NodeLevel;
  regionCode: string;
  publicKey: string;
}

/** Creates the node row (with a fresh SM2 key pair) if there is none; returns the node. */
export async function ensureNode(
  db: Db,
  masterKey: Buffer,
  defaults: { code: string; name: string; level: NodeLevel; regionCode: string },
): Promise<NodeInfo> {
  const existing = await getNode(db);
  if (existing) return existing;
  const kp = sm2GenerateKeyPair();
  await db
    .insertInto('kernel.node')
    .values({
      id: 1,
      code: defaults.code,
      name: defaults.name,
      level: defaults.level,
      region_code: defaults.regionCode,
      sign_public_key: kp.publicKey,
      sign_private_key_sealed: sealSecret(masterKey, kp.privateKey),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return (await getNode(db))!;
}

export async function getNode(tx: Tx): Promise<NodeInfo | undefined> {
  const r = await tx.selectFrom('kernel.node').selectAll().executeTakeFirst();
  return r && { code: r.code, name: r.name, level: r.level, regionCode: r.region_code, publicKey: r.sign_public_key };
}

/**
 * The node's signer. The public key is derived from the sealed private key (which only the master
 * key opens), so a public key swapped in the database is detected.
 */
export async function loadSigner(db: Db, masterKey: Buffer): Promise<Signer> {
  const r = await db
    .selectFrom('kernel.node')
    .select(['sign_public_key', 'sign_private_key_sealed'])
    .executeTakeFirstOrThrow();
  const privateKey = openSecret(masterKey, r.sign_private_key_sealed);
  const publicKey = sm2PublicKeyOf(privateKey);
  if (publicKey !== r.sign_public_key)
    throw new Error('the node public key in the database does not match its private key');
  return { publicKey, sign: (m) => sm2Sign(m, privateKey) };
}

export async function updateNode(
  ctx: Ctx,
  tx: Tx,
  patch: { code?: string; name?: string; level?: NodeLevel; regionCode?: string },
): Promise<NodeInfo> {
  requireRole(ctx, 'admin');
  if (patch.regionCode !== undefined && !isCurrentRegion(patch.regionCode))
    fail('REGION_INVALID', { field: 'regionCode' });
  const before = await getNode(tx);
  await tx
    .updateTable('kernel.node')
    .set({
      ...(patch.code !== undefined && { code: patch.code }),
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.level !== undefined && { level: patch.level }),
      ...(patch.regionCode !== undefined && { region_code: patch.regionCode }),
      updated_at: new Date(),
    })
    .execute();
  const after = (await getNode(tx))!;
  await appendInTx(tx, [
    auditOf(ctx, 'node.update', 'node', after.code, { before: before && { ...before, publicKey: undefined }, patch }),
  ]);
  return after;
}
