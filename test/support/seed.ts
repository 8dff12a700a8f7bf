/** The demo seed with known passwords, for tests. */
import type { TestEnv } from './db.js';
import { seedDemo } from '../../src/seed/demo.js';

export const ADMIN_PASSWORD = 'Admin2026pass';
export const DEMO_PASSWORD = 'Demo2026pass';

export async function seeded(env: TestEnv) {
  await seedDemo(env.rt.kernel, { adminPassword: ADMIN_PASSWORD, demoPassword: DEMO_PASSWORD, catalog: false });
  const depts = await env.rt.kernel.db.selectFrom('kernel.department').select(['id', 'name']).execute();
  const byName = new Map(depts.map((d) => [d.name, d.id]));
  return { dept: (name: string) => byName.get(name)! };
}
