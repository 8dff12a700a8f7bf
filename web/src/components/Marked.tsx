/** Text with the ranges the search matched marked (<mark>), as the server gave them: [start, end). */
export function Marked({ text, ranges }: { text: string; ranges: number[][] }) {
  if (!ranges.length) return <>{text}</>;
  const parts = [];
  let at = 0;
  for (const [s = 0, e = 0] of ranges) {
    if (s > at) parts.push(text.slice(at, s));
    parts.push(<mark key={s}>{text.slice(s, e)}</mark>);
    at = e;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
