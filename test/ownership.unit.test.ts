/**
 * Table ownership (docs/architecture.md §4): a module's SQL names only its own schema; what it needs
 * of another module's tables it asks that module's service.ts for. The tables are read from the
 * migrations; every `schema.table` naming a table another module owns (or the audit log, which is
 * the kernel's to read) found in a module's source fails the test, with the file that names it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const MODULES = path.join(ROOT, 'src', 'modules');
/** the PostgreSQL schemas each module owns */
const OWNS: Record<string, string[]> = {
  catalog: ['catalog', 'ds', 'ds_hist'],
  aggregation: ['ingest', 'ds', 'ds_hist'],
  governance: ['gov'],
  objection: ['objection'],
  sharing: ['share'],
  open: ['open'],
  demand: ['demand'],
};

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

/** schema.table of every table the migrations create, with the module (or 'kernel') that owns it */
function tables(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of files(path.join(ROOT, 'src'), '.sql')) {
    const owner = f.includes(`${path.sep}modules${path.sep}`)
      ? f.split(`${path.sep}modules${path.sep}`)[1]!.split(path.sep)[0]!
      : 'kernel';
    for (const m of readFileSync(f, 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+\.[a-z_]+)/g))
      out.set(m[1]!, owner);
  }
  return out;
}

/** Every reference a module's (non-test) source makes to a table it does not own, per file. */
export function crossReferences(): Record<string, string[]> {
  const known = tables();
  const found: Record<string, string[]> = {};
  for (const mod of Object.keys(OWNS)) {
    for (const f of files(path.join(MODULES, mod), '.ts').filter((x) => !x.endsWith('.test.ts'))) {
      const refs = new Set<string>();
      for (const m of readFileSync(f, 'utf8').matchAll(/\b([a-z_]+)\.([a-z_]+)\b/g)) {
        const name = `${m[1]}.${m[2]}`;
        const owner = known.get(name);
        if (!owner || OWNS[mod]!.includes(m[1]!)) continue;
        // kernel tables are shared reference data (departments, users), except the audit log
        if (owner === 'kernel' && name !== 'kernel.audit_log') continue;
        refs.add(name);
      }
      if (refs.size) found[path.relative(MODULES, f).split(path.sep).join('/')] = [...refs].sort();
    }
  }
  return found;
}

describe('table ownership', () => {
  it("finds the migrations' tables and their owners", () => {
    const t = tables();
    expect(t.get('catalog.resource')).toBe('catalog');
    expect(t.get('share.grant')).toBe('sharing');
    expect(t.get('kernel.audit_log')).toBe('kernel');
  });

  it("no module names another module's tables (or the audit log): it asks the owner's service.ts", () => {
    expect(crossReferences()).toEqual({});
  });
});
