/**
 * A run's rejects: row, field, reason and raw value, a page at a time, and all of them as .xlsx.
 */
import { Button, Drawer, Table } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { useServerTable } from '../../components/table';
import { rejectPage } from '../../api/aggregation';

export function Rejects({ runId, onClose }: { runId: number | null; onClose: () => void }) {
  const { t } = useTranslation();
  const table = useServerTable();
  const q = useQuery({
    queryKey: ['rejects', runId, table.query],
    queryFn: () => api(rejectPage, `/api/v1/ingest/runs/${runId}/rejects`, { query: table.query }),
    enabled: runId !== null,
  });
  return (
    <Drawer
      open={runId !== null}
      onClose={onClose}
      size="large"
      title={`${t('ingest.rejects')} #${runId ?? ''}`}
      extra={
        <Button icon={<DownloadOutlined />} href={`/api/v1/ingest/runs/${runId}/rejects.xlsx`}>
          {t('ingest.download')}
        </Button>
      }
    >
      <Table
        size="small"
        rowKey={(r) => `${r.row}-${r.field}`}
        loading={q.isFetching}
        dataSource={q.data?.items}
        pagination={table.pagination(q.data?.total, (n) => t('common.total', { total: n }))}
        onChange={table.onChange}
        columns={[
          { key: 'row', dataIndex: 'row', title: t(`ingest.rowBasis.${q.data?.rowBasis ?? 'record'}`) },
          { key: 'field', dataIndex: 'field', title: t('ingest.field') },
          { key: 'reason', dataIndex: 'reason', title: t('ingest.reason') },
          {
            key: 'value',
            dataIndex: 'value',
            title: t('ingest.value'),
            render: (v: string | null) => <span className="gs-mono">{v ?? ''}</span>,
          },
        ]}
      />
    </Drawer>
  );
}
