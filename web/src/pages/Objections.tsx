import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { Button, Modal, Radio, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { objectionPage, objectionStatsAnswer, type ObjectionDto } from '../api/objection';
import { can, useSession } from '../auth/session';
import { fmtDateTime } from '../i18n';
import { COLOR, Detail } from './objection/Detail';
import { RaiseForm } from './objection/RaiseForm';

type Objection = ObjectionDto;

/** 数据异议: my objections, the inbox (provider / bureau) with time left, the bureau's overview, counts per department. */
export default function Objections() {
  const { t, i18n } = useTranslation();
  const { data: session } = useSession();
  const roles = session!.user.roles;
  const [params, setParams] = useSearchParams();
  const shown = params.get('id') ? Number(params.get('id')) : null;
  const raising = params.get('new');
  const [tab, setTab] = useState(can(roles, 'officer', 'admin') && !can(roles, 'consumer') ? 'inbox' : 'mine');
  const [status, setStatus] = useState<string | undefined>();
  const [pg, setPg] = useState(1);
  const list = useQuery({
    queryKey: ['objections', tab, status, pg],
    queryFn: () => api(objectionPage, '/api/v1/objections', { query: { scope: tab, status, page: pg, pageSize: 20 } }),
    enabled: tab !== 'stats',
  });
  const stats = useQuery({
    queryKey: ['objections', 'stats'],
    queryFn: () => api(objectionStatsAnswer, '/api/v1/objections/stats'),
    enabled: tab === 'stats',
  });
  const open = (id: number | null) => setParams(id ? { id: String(id) } : {});
  const tabs = [
    { key: 'mine', label: t('objection.mine') },
    ...(can(roles, 'officer', 'admin') ? [{ key: 'inbox', label: t('objection.inbox') }] : []),
    ...(can(roles, 'admin', 'auditor') ? [{ key: 'all', label: t('objection.all') }] : []),
    ...(can(roles, 'admin', 'auditor', 'officer') ? [{ key: 'stats', label: t('objection.stats') }] : []),
  ];
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={3} className="gs-page-title">
          {t('objection.title')}
        </Typography.Title>
        {can(roles, 'consumer', 'officer', 'admin') && (
          <Button type="primary" onClick={() => setParams({ new: '' })} data-testid="objection-new">
            {t('objection.raise')}
          </Button>
        )}
      </Space>
      <Tabs
        activeKey={tab}
        onChange={(k) => {
          setTab(k);
          setPg(1);
        }}
        items={tabs}
      />
      {tab === 'stats' ? (
        <Table
          size="middle"
          rowKey="department"
          loading={stats.isFetching}
          dataSource={stats.data?.items}
          pagination={false}
          columns={[
            { key: 'd', dataIndex: 'department', title: t('objection.department') },
            { key: 't', dataIndex: 'total', title: t('objection.total') },
            { key: 'o', dataIndex: 'open', title: t('objection.open') },
            {
              key: 'x',
              dataIndex: 'overdue',
              title: t('objection.overdue'),
              render: (n: number) => (n ? <Tag color="error">{n}</Tag> : 0),
            },
            { key: 'c', dataIndex: 'corrected', title: t('objection.states.corrected') },
            { key: 'r', dataIndex: 'rejected', title: t('objection.states.rejected') },
            { key: 'a', dataIndex: 'avgDays', title: t('objection.avgDays') },
          ]}
        />
      ) : (
        <>
          <Button
            href={`/api/v1/objections/export.xlsx?scope=${tab}${status ? `&status=${status}` : ''}`}
            style={{ float: 'right' }}
          >
            {t('objection.export')}
          </Button>
          <Radio.Group
            value={status ?? ''}
            onChange={(e) => {
              setStatus(e.target.value || undefined);
              setPg(1);
            }}
            style={{ marginBottom: 12 }}
            optionType="button"
            size="small"
            options={[
              { value: '', label: t('common.all') },
              ...['submitted', 'flagged', 'contested', 'corrected', 'rejected', 'archived'].map((s) => ({
                value: s,
                label: t(`objection.states.${s}`),
              })),
            ]}
          />
          <Table
            size="middle"
            rowKey="id"
            loading={list.isFetching}
            dataSource={list.data?.items}
            scroll={{ x: true }}
            data-testid="objection-list"
            rowClassName={(r: Objection) => (r.overdue ? 'gs-row-overdue' : '')}
            onRow={(r: Objection) => ({ onClick: () => open(r.id), style: { cursor: 'pointer' } })}
            pagination={{
              current: pg,
              pageSize: 20,
              total: list.data?.total ?? 0,
              onChange: setPg,
              showTotal: (n) => t('common.total', { total: n }),
            }}
            columns={[
              { key: 'id', dataIndex: 'id', title: '#' },
              {
                key: 'res',
                title: t('objection.resource'),
                render: (_: unknown, r: Objection) => `${r.resourceName ?? ''} · ${r.provider}`,
              },
              {
                key: 'key',
                title: t('objection.recordKey'),
                render: (_: unknown, r: Objection) =>
                  r.recordKey ? Object.values(r.recordKey).join(' / ') : t('objection.wholeResource'),
              },
              { key: 'field', dataIndex: 'field', title: t('objection.field') },
              { key: 'who', title: t('objection.raiser'), render: (_: unknown, r: Objection) => r.raiserName },
              {
                key: 'st',
                title: t('objection.status'),
                render: (_: unknown, r: Objection) => (
                  <Space size={4}>
                    <Tag color={COLOR[r.status]}>{t(`objection.states.${r.status}`)}</Tag>
                    {r.flagged && <Tag color="warning">{t('objection.flaggedTag')}</Tag>}
                  </Space>
                ),
              },
              {
                key: 'due',
                title: t('objection.due'),
                render: (_: unknown, r: Objection) =>
                  r.daysLeft === null ? (
                    ''
                  ) : (
                    <Tag color={r.daysLeft < 0 ? 'error' : r.daysLeft <= 1 ? 'warning' : 'default'}>
                      {r.daysLeft < 0
                        ? t('share.overdueBy', { n: -r.daysLeft })
                        : t('share.daysLeft', { n: r.daysLeft, due: r.due })}
                    </Tag>
                  ),
              },
              {
                key: 'at',
                title: t('objection.raisedAt'),
                render: (_: unknown, r: Objection) => fmtDateTime(r.createdAt, i18n.language),
              },
            ]}
          />
        </>
      )}
      {shown !== null && <Detail id={shown} onClose={() => open(null)} />}
      <Modal
        open={raising !== null}
        title={t('objection.raise')}
        footer={null}
        onCancel={() => setParams({})}
        destroyOnHidden
        width={640}
      >
        {raising !== null && <RaiseForm resourceId={raising || null} onDone={(id) => open(id)} />}
      </Modal>
    </>
  );
}
