/**
 * Shows an API problem next to the form field at fault (the problem's `field`, or each entry of
 * its `errors`); what names no field of the form goes to `notify`.
 */
import type { FormInstance } from 'antd';
import { ApiError } from '../api/client';

export function showProblem(
  form: FormInstance | null,
  err: unknown,
  notify: (msg: string) => void,
  formFields: string[] = [],
): void {
  if (!(err instanceof ApiError)) {
    notify(String((err as Error)?.message ?? err));
    return;
  }
  const p = err.problem;
  const items = p.errors?.length ? p.errors : p.field ? [{ field: p.field, message: p.detail ?? p.code }] : [];
  // a field is the form's when its path (or the path's first part, for nested forms: meta.name, items.1.type) is listed
  const own = items.filter((i) => formFields.includes(i.field) || formFields.includes(i.field.split('.')[0]!));
  const path = (f: string) => (f.includes('.') ? f.split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : x)) : f);
  if (form && own.length > 0) {
    form.setFields(
      own.map((i) => ({ name: path(i.field), errors: [p.errors?.length ? i.message : (p.detail ?? i.message)] })),
    );
    if (own.length < items.length || items.length === 0) notify(p.detail ?? p.code);
    return;
  }
  notify(p.detail ?? p.title ?? p.code);
}
