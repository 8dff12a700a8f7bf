/** Server-side pagination and sorting for antd tables: `?page=&pageSize=&sort=-field`. */
import { useState } from 'react';
import type { TablePaginationConfig } from 'antd';

/** The part of antd's SorterResult that matters here (any row type fits). */
type SorterLike = { order?: 'ascend' | 'descend' | null; columnKey?: string | number | bigint };

export function useServerTable(defaultSort?: string) {
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [sort, setSort] = useState<string | undefined>(defaultSort);
  return {
    query: { page, pageSize, sort },
    resetPage: () => setPage(1),
    pagination: (total: number | undefined, totalText: (n: number) => string): TablePaginationConfig => ({
      current: page,
      pageSize,
      total: total ?? 0,
      showSizeChanger: true,
      showTotal: totalText,
    }),
    onChange: (p: TablePaginationConfig, _f: unknown, s: SorterLike | SorterLike[]) => {
      const one = Array.isArray(s) ? s[0] : s;
      const next =
        one?.order && one.columnKey ? `${one.order === 'descend' ? '-' : ''}${String(one.columnKey)}` : defaultSort;
      if (next !== sort) {
        setSort(next);
        setPage(1);
      } else {
        setPage(p.current ?? 1);
      }
      setPageSize(p.pageSize ?? 20);
    },
    sortOrder: (key: string): 'ascend' | 'descend' | null =>
      sort === key ? 'ascend' : sort === `-${key}` ? 'descend' : null,
  };
}
