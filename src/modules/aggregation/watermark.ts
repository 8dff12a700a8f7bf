import type { RowEvent } from './files.js';

/**
 * The watermark values an incremental run read, in order, as runs of equal values (row n → value):
 * enough to say where the last value strictly before a given row ends. Past `cap` distinct values
 * it stops recording, and a reject beyond that keeps the old watermark.
 */
export class WatermarkTrail {
  private values: string[] = [];
  private lastRow: number[] = [];
  private full = false;
  constructor(
    private readonly at: number,
    private readonly cap = 2_000_000,
  ) {}
  note(batch: RowEvent[]): RowEvent[] {
    if (this.at < 0 || this.full) return batch;
    for (const r of batch) {
      const v = 'values' in r ? r.values[this.at] : null;
      if (v === null || v === undefined) continue;
      const n = this.values.length;
      if (n > 0 && this.values[n - 1] === v) this.lastRow[n - 1] = r.row;
      else if (n >= this.cap) {
        this.full = true;
        return batch;
      } else {
        this.values.push(v);
        this.lastRow.push(r.row);
      }
    }
    return batch;
  }
  /** the largest value read strictly before row `row`'s value, or `fallback` */
  before(row: number, fallback: string | null): string | null {
    const i = this.lastRow.findIndex((last) => last >= row);
    if (i < 0) return this.full ? fallback : (this.values.at(-1) ?? fallback);
    return i === 0 ? fallback : this.values[i - 1]!;
  }
}
