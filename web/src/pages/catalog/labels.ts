/** Labels and tags shared by the catalog pages. */
import type { TFunction } from 'i18next';

export const STATE_COLOR: Record<string, string> = {
  draft: 'default',
  submitted: 'processing',
  returned: 'warning',
  published: 'success',
  superseded: 'default',
  withdrawn: 'error',
  retired: 'error',
};
export const gradeColor = (g: number) => (g >= 4 ? 'red' : g === 3 ? 'orange' : g === 2 ? 'gold' : 'green');
export const fmtValue = (t: TFunction, v: unknown): string =>
  v === undefined || v === null
    ? '—'
    : typeof v === 'object'
      ? JSON.stringify(v)
      : typeof v === 'boolean'
        ? v
          ? t('common.yes')
          : t('common.no')
        : String(v);
