/** All departments (for selects and for naming departments in tables). */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { department, pageOf } from '../api/schemas';

export function useDepartments(enabled = true) {
  const q = useQuery({
    queryKey: ['departments', 'all'],
    queryFn: () => api(pageOf(department), '/api/v1/departments', { query: { pageSize: 200, sort: 'name' } }),
    enabled,
    staleTime: 60_000,
  });
  const byId = new Map((q.data?.items ?? []).map((d) => [d.id, d]));
  return {
    ...q,
    items: q.data?.items ?? [],
    nameOf: (id: string | null | undefined) => (id ? (byId.get(id)?.name ?? id) : '—'),
  };
}
