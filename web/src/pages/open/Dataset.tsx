/**
 * One open dataset: what it is, its rows (search, filters, pages), downloads and, for 有条件开放 data,
 * the key's application.
 */
import { useState } from 'react';
import { Alert, Button, Card, Descriptions, Input, Space, Table, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ApiError, api, withQuery } from '../../api/client';
import { openDataset, openRowsAnswer } from '../../api/open';
import { KeyCard, MyReports, Report } from './Report';

/** where the browser keeps the visitor's open key */
export const KEY = 'gs_open_key';

export function Dataset({ id }: { id: string }) {
  const { t } = useTranslation();
  const [key, setKey] = useState(() => localStorage.getItem(KEY) ?? '');
  const headers: Record<string, string> = key ? { 'x-gs-open-key': key } : {};
  const d = useQuery({
    queryKey: ['open', 'one', id],
    queryFn: () => api(openDataset, `/api/v1/open/resources/${id}`),
  });
  const [q, setQ] = useState('');
  const [p, setP] = useState({ page: 1, pageSize: 20 });
  const [reporting, setReporting] = useState<Record<string, string | null> | null>(null);
  const r = useQuery({
    queryKey: ['open', 'rows', id, q, p, key],
    queryFn: () =>
      api(openRowsAnswer, `/api/v1/open/resources/${id}/rows`, {
        query: { q, limit: p.pageSize, offset: (p.page - 1) * p.pageSize },
        headers,
      }),
    enabled: !!d.data,
    retry: false,
  });
  if (d.error) return <Alert type="error" showIcon message={(d.error as Error).message} />;
  if (!d.data) return <Card loading />;
  const ds = d.data;
  const locked = r.error instanceof ApiError && r.error.code.startsWith('OPEN_');
  const download = async (format: string) => {
    const res = await fetch(withQuery(`/api/v1/open/resources/${id}/download`, { format }), { headers });
    if (!res.ok) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(await res.blob());
    a.download = `${ds.code}.${format}`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={
          <Space>
            {ds.name}
            <Tag color={ds.openType === 'unconditional' ? 'green' : 'gold'}>{t(`catalog.openT.${ds.openType}`)}</Tag>
          </Space>
        }
        extra={<Link to="/open">{t('open.back')}</Link>}
      >
        <Descriptions
          column={{ xs: 1, md: 2 }}
          size="small"
          items={[
            { key: 'dept', label: t('open.provider'), children: ds.departmentName },
            { key: 'code', label: t('open.code'), children: ds.code },
            { key: 'cycle', label: t('open.cycle'), children: t(`catalog.cycle.${ds.updateCycle}`) },
            ...(ds.openCondition ? [{ key: 'cond', label: t('open.condition'), children: ds.openCondition }] : []),
            { key: 'summary', label: t('open.summary'), children: ds.summary, span: 2 },
            {
              key: 'items',
              label: t('open.items'),
              span: 2,
              children: (
                <Space wrap>
                  {ds.items.map((i) => (
                    <Tag key={i.name}>
                      {i.label}（{i.name}）
                    </Tag>
                  ))}
                  {ds.itemsWithheld > 0 && (
                    <Typography.Text type="secondary">{t('open.withheld', { n: ds.itemsWithheld })}</Typography.Text>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {ds.openType === 'conditional' && (
        <KeyCard
          id={id}
          value={key}
          onChange={(k) => {
            setKey(k);
            localStorage.setItem(KEY, k);
          }}
        />
      )}
      <Card
        title={t('open.data')}
        extra={
          !locked && (
            <Space>
              <Input.Search
                allowClear
                placeholder={t('open.searchRows')}
                onSearch={(v) => {
                  setQ(v);
                  setP({ ...p, page: 1 });
                }}
                style={{ width: 220 }}
              />
              {(['csv', 'xlsx', 'json'] as const).map((f) => (
                <Button key={f} icon={<DownloadOutlined />} onClick={() => void download(f)}>
                  {f.toUpperCase()}
                </Button>
              ))}
            </Space>
          )
        }
      >
        {locked ? (
          <Alert type="info" showIcon message={(r.error as Error).message} />
        ) : (
          <Table
            rowKey={(_, n) => String(n)}
            size="small"
            loading={r.isFetching}
            dataSource={r.data?.records}
            scroll={{ x: true }}
            locale={{ emptyText: t('common.empty') }}
            pagination={{
              current: p.page,
              pageSize: p.pageSize,
              total: r.data?.total ?? 0,
              onChange: (page, pageSize) => setP({ page, pageSize }),
            }}
            columns={[
              ...ds.items.map((i) => ({ key: i.name, dataIndex: i.name, title: i.label })),
              ...(ds.items.some((i) => i.primaryKey)
                ? [
                    {
                      key: '_report',
                      title: '',
                      render: (_: unknown, rec: Record<string, string | null>, n: number) => (
                        <Space size={4}>
                          {r.data?.flags.some((f) => f.row === n || f.row === null) && (
                            <Tag color="warning">{t('open.underObjection')}</Tag>
                          )}
                          <Button size="small" type="link" onClick={() => setReporting(rec)} data-testid="open-report">
                            {t('open.report')}
                          </Button>
                        </Space>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
        {reporting && (
          <Report
            ds={ds}
            record={reporting}
            openKey={key}
            onKey={(k) => {
              setKey(k);
              localStorage.setItem(KEY, k);
            }}
            onClose={() => setReporting(null)}
          />
        )}
        {key && <MyReports id={id} openKey={key} />}
        <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
          {t('open.apiHint')}{' '}
          <Typography.Text
            code
            copyable
          >{`GET /api/3/action/datastore_search?resource_id=${id}&q=&limit=100`}</Typography.Text>
        </Typography.Paragraph>
      </Card>
    </Space>
  );
}
