import { useState } from 'react';
import { Alert, App, Button, DatePicker, Descriptions, Drawer, Input, Select, Table, Typography } from 'antd';
import { DownloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { api, withQuery } from '../api/client';
import { auditEntry, pageOf, verifyResult, type AuditEntryDto } from '../api/schemas';
import { useServerTable } from '../components/table';
import { showProblem } from '../components/forms';
import { useDepartments } from '../components/useDepartments';
import { can, useSession } from '../auth/session';
import { fmtDateTime } from '../i18n';

export default function Audit() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { data: session } = useSession();
  const roles = session!.user.roles;
  const spansDepartments = can(roles, 'admin', 'auditor');
  const table = useServerTable();
  const [filter, setFilter] = useState<{
    actor?: string;
    action?: string;
    departmentId?: string;
    range?: [Dayjs, Dayjs] | null;
  }>({});
  const [selected, setSelected] = useState<AuditEntryDto | null>(null);
  const departments = useDepartments();

  const query = {
    ...table.query,
    actor: filter.actor,
    action: filter.action,
    departmentId: filter.departmentId,
    from: filter.range?.[0]?.startOf('day').toISOString(),
    to: filter.range?.[1]?.endOf('day').toISOString(),
  };
  const list = useQuery({
    queryKey: ['audit', query],
    queryFn: () => api(pageOf(auditEntry), '/api/v1/audit', { query }),
    placeholderData: keepPreviousData,
  });
  const verify = useMutation({
    mutationFn: () => api(verifyResult, '/api/v1/audit/verify', { method: 'POST' }),
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  const set = (patch: Partial<typeof filter>) => {
    setFilter((f) => ({ ...f, ...patch }));
    table.resetPage();
  };

  return (
    <>
      <Typography.Title level={3} className="gs-page-title">
        {t('audit.title')}
      </Typography.Title>
      <div className="gs-toolbar">
        <Input.Search
          allowClear
          placeholder={t('audit.actorPlaceholder')}
          style={{ width: 180 }}
          onSearch={(v) => set({ actor: v || undefined })}
          aria-label={t('audit.actor')}
          data-testid="audit-actor"
        />
        <Input.Search
          allowClear
          placeholder={t('audit.actionPlaceholder')}
          style={{ width: 260 }}
          onSearch={(v) => set({ action: v || undefined })}
          aria-label={t('audit.action')}
          data-testid="audit-action"
        />
        {spansDepartments && (
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('audit.department')}
            style={{ width: 240 }}
            onChange={(v: string | undefined) => set({ departmentId: v })}
            options={departments.items.map((d) => ({ value: d.id, label: d.name }))}
            aria-label={t('audit.department')}
          />
        )}
        <DatePicker.RangePicker
          onChange={(r) => set({ range: r as [Dayjs, Dayjs] | null })}
          aria-label={t('audit.range')}
        />
        <Button
          icon={<DownloadOutlined />}
          href={withQuery('/api/v1/audit/export.xlsx', {
            actor: query.actor,
            action: query.action,
            departmentId: query.departmentId,
            from: query.from,
            to: query.to,
          })}
          data-testid="audit-export"
        >
          {t('audit.export')}
        </Button>
        {spansDepartments && (
          <Button
            icon={<SafetyCertificateOutlined />}
            loading={verify.isPending}
            onClick={() => verify.mutate()}
            data-testid="audit-verify"
          >
            {verify.isPending ? t('audit.verifying') : t('audit.verify')}
          </Button>
        )}
      </div>
      {verify.data && (
        <Alert
          style={{ marginBottom: 16 }}
          showIcon
          closable
          data-testid="audit-verify-result"
          type={verify.data.ok ? 'success' : 'error'}
          title={
            verify.data.ok
              ? t('audit.intact', { entries: verify.data.entries, checkpoints: verify.data.checkpoints })
              : t('audit.broken')
          }
          description={verify.data.problem?.message}
        />
      )}
      <Table<AuditEntryDto>
        rowKey="seq"
        size="middle"
        loading={list.isFetching}
        dataSource={list.data?.items}
        pagination={table.pagination(list.data?.total, (n) => t('common.total', { total: n }))}
        onChange={table.onChange}
        locale={{ emptyText: t('common.empty') }}
        onRow={(e) => ({
          onClick: () => setSelected(e),
          onKeyDown: (ev) => ev.key === 'Enter' && setSelected(e),
          tabIndex: 0,
          style: { cursor: 'pointer' },
        })}
        columns={[
          { key: 'seq', dataIndex: 'seq', title: t('audit.seq'), width: 80 },
          { key: 'ts', dataIndex: 'ts', title: t('audit.time'), render: (v: string) => fmtDateTime(v, i18n.language) },
          { key: 'actorName', dataIndex: 'actorName', title: t('audit.actor') },
          {
            key: 'departmentId',
            dataIndex: 'departmentId',
            title: t('audit.department'),
            render: (v: string | null) => departments.nameOf(v),
          },
          {
            key: 'action',
            dataIndex: 'action',
            title: t('audit.action'),
            render: (v: string) => <span className="gs-mono">{v}</span>,
          },
          {
            key: 'target',
            title: t('audit.target'),
            render: (_: unknown, e) => (e.targetType ? `${e.targetType}${e.targetId ? ` · ${e.targetId}` : ''}` : '—'),
          },
          { key: 'clientIp', dataIndex: 'clientIp', title: t('audit.ip') },
        ]}
      />
      <Drawer
        open={selected !== null}
        onClose={() => setSelected(null)}
        title={selected ? t('audit.entry', { seq: selected.seq }) : ''}
        size="large"
      >
        {selected && (
          <Descriptions column={1} bordered size="small">
            <Descriptions.Item label={t('audit.time')}>{fmtDateTime(selected.ts, i18n.language)}</Descriptions.Item>
            <Descriptions.Item label={t('audit.actor')}>
              {selected.actorName} ({selected.actorType}
              {selected.actorId ? ` · ${selected.actorId}` : ''})
            </Descriptions.Item>
            <Descriptions.Item label={t('audit.department')}>
              {departments.nameOf(selected.departmentId)}
            </Descriptions.Item>
            <Descriptions.Item label={t('audit.action')}>{selected.action}</Descriptions.Item>
            <Descriptions.Item label={t('audit.target')}>
              {selected.targetType ?? '—'} {selected.targetId ?? ''}
            </Descriptions.Item>
            <Descriptions.Item label={t('audit.ip')}>{selected.clientIp ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('audit.requestId')}>
              <span className="gs-mono">{selected.requestId ?? '—'}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('audit.detail')}>
              <pre className="gs-mono" style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
                {JSON.stringify(selected.detail, null, 2)}
              </pre>
            </Descriptions.Item>
            <Descriptions.Item label={t('audit.prevHash')}>
              <span className="gs-mono">{selected.prevHash}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('audit.hash')}>
              <span className="gs-mono">{selected.hash}</span>
            </Descriptions.Item>
          </Descriptions>
        )}
      </Drawer>
    </>
  );
}
