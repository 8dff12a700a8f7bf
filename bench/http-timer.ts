/**
 * The load generator of the HTTP benches, in a process of its own (so the server's event loop does not
 * also parse the answers): reads `{ base, cookie, paths }` as JSON on stdin, GETs the first path 20 times
 * untimed (this process's own warm-up), then each path in turn, and prints `[{ ms, status, total }]` as
 * JSON on stdout.
 */
const input = await new Promise<string>((resolve) => {
  let s = '';
  process.stdin.on('data', (c) => (s += c));
  process.stdin.on('end', () => resolve(s));
});
const { base, cookie, paths } = JSON.parse(input) as { base: string; cookie: string; paths: string[] };
for (let i = 0; i < 20 && paths.length; i++) await (await fetch(`${base}${paths[0]}`, { headers: { cookie } })).json();
const out = [];
for (const p of paths) {
  const t = performance.now();
  const res = await fetch(`${base}${p}`, { headers: { cookie } });
  const body = (await res.json()) as { total?: number };
  out.push({ ms: performance.now() - t, status: res.status, total: body.total ?? null });
}
process.stdout.write(JSON.stringify(out));
