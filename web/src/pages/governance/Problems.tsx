/**
 * 问题数据 and 整改任务: the problem rows (the provider confirms a correct value with a reason) and the
 * rectification tasks with their due dates.
 */
import { useState } from 'react';
import { App, Button, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api } from '../../api/client';
import { problemPage, taskPage, type ProblemDto, type TaskDto } from '../../api/governance';
import { showProblem } from '../../components/forms';
import { useServerTable } from '../../components/table';
import { fmtDateTime } from '../../i18n';

const STATE: Record<string, string> = { open: 'warning', fixed: 'success', confirmed: 'default' };

/** 问题数据: open and closed problems; the provider confirms a correct value with a reason. */
export function Problems({ officer }: { officer: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const table = useServerTable();
  const [status, setStatus] = useState<string | undefined>('open');
  const [confirming, setConfirming] = useState<number | null>(null);
  const [reason, setReason] = useState('');
  const q = useQuery({
    queryKey: ['gov-problems', status, table.query],
    queryFn: () => api(problemPage, '/api/v1/governance/problems', { query: { ...table.query, status } }),
    placeholderData: keepPreviousData,
  });
  const confirm = useMutation({
    mutationFn: () =>
      api(z.undefined(), `/api/v1/governance/problems/${confirming}/confirm`, { method: 'POST', body: { reason } }),
    onSuccess: () => {
      setConfirming(null);
      setReason('');
      void qc.invalidateQueries({ queryKey: ['gov-problems'] });
      void message.success(t('governance.confirmed'));
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  return (
    <>
      <div className="gs-toolbar">
        <Space>
          <Select
            style={{ width: 160 }}
            allowClear
            value={status}
            onChange={setStatus}
            aria-label={t('governance.status')}
            placeholder={t('common.all')}
            options={['open', 'fixed', 'confirmed'].map((s) => ({ value: s, label: t(`governance.states.${s}`) }))}
          />
          <Button icon={<DownloadOutlined />} href="/api/v1/governance/problems.xlsx">
            {t('governance.export')}
          </Button>
        </Space>
      </div>
      <Table
        size="small"
        rowKey="id"
        loading={q.isFetching && !q.data}
        dataSource={q.data?.items}
        pagination={table.pagination(q.data?.total, (n) => t('common.total', { total: n }))}
        onChange={table.onChange}
        locale={{ emptyText: t('common.empty') }}
        scroll={{ x: true }}
        columns={[
          { key: 'resourceName', dataIndex: 'resourceName', title: t('governance.resource') },
          {
            key: 'item',
            dataIndex: 'item',
            title: t('governance.item'),
            render: (v: string | null) => <span className="gs-mono">{v ?? t('governance.wholeResource')}</span>,
          },
          {
            key: 'kind',
            dataIndex: 'kind',
            title: t('governance.kind'),
            render: (k: string) => t(`governance.kinds.${k}`),
          },
          {
            key: 'rowKey',
            dataIndex: 'rowKey',
            title: t('governance.rowKey'),
            render: (v: string) => <span className="gs-mono">{v}</span>,
          },
          {
            key: 'value',
            dataIndex: 'value',
            title: t('governance.value'),
            render: (v: string | null) => <span className="gs-mono">{v ?? ''}</span>,
          },
          {
            key: 'reason',
            title: t('governance.reason'),
            render: (_: unknown, p: ProblemDto) => (i18n.language.startsWith('en') ? p.reasonEn : p.reasonZh),
          },
          {
            key: 'status',
            dataIndex: 'status',
            title: t('governance.status'),
            render: (s: string, p: ProblemDto) => (
              <Tag color={STATE[s]} title={p.confirmedReason ?? ''}>
                {t(`governance.states.${s}`)}
              </Tag>
            ),
          },
          {
            key: 'firstSeenAt',
            dataIndex: 'firstSeenAt',
            title: t('governance.firstSeen'),
            render: (v: string) => fmtDateTime(v, i18n.language),
          },
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_: unknown, p: ProblemDto) =>
              officer && p.status === 'open' ? (
                <Button size="small" onClick={() => setConfirming(p.id)}>
                  {t('governance.confirm')}
                </Button>
              ) : null,
          },
        ]}
      />
      <Modal
        open={confirming !== null}
        title={t('governance.confirm')}
        onCancel={() => setConfirming(null)}
        onOk={() => confirm.mutate()}
        confirmLoading={confirm.isPending}
        okButtonProps={{ disabled: reason.trim().length < 2 }}
        okText={t('common.confirm')}
        cancelText={t('common.cancel')}
      >
        <Input.TextArea
          rows={3}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder={t('governance.confirmReason')}
          aria-label={t('governance.confirmReason')}
        />
      </Modal>
    </>
  );
}

/** 整改任务: the provider's tasks with their due dates; overdue ones stand out. */
export function Tasks() {
  const { t } = useTranslation();
  const table = useServerTable();
  const [status, setStatus] = useState<string | undefined>('open');
  const q = useQuery({
    queryKey: ['gov-tasks', status, table.query],
    queryFn: () => api(taskPage, '/api/v1/governance/tasks', { query: { ...table.query, status } }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <div className="gs-toolbar">
        <Select
          style={{ width: 160 }}
          allowClear
          value={status}
          onChange={setStatus}
          aria-label={t('governance.status')}
          placeholder={t('common.all')}
          options={['open', 'overdue', 'done'].map((s) => ({ value: s, label: t(`governance.${s}`) }))}
        />
      </div>
      <Table
        size="small"
        rowKey="id"
        loading={q.isFetching && !q.data}
        dataSource={q.data?.items}
        pagination={table.pagination(q.data?.total, (n) => t('common.total', { total: n }))}
        onChange={table.onChange}
        locale={{ emptyText: t('common.empty') }}
        scroll={{ x: true }}
        columns={[
          { key: 'id', dataIndex: 'id', title: '#' },
          { key: 'departmentName', dataIndex: 'departmentName', title: t('governance.department') },
          { key: 'resourceName', dataIndex: 'resourceName', title: t('governance.resource') },
          {
            key: 'rule',
            title: t('governance.kind'),
            render: (_: unknown, r: TaskDto) =>
              `${r.item ?? t('governance.wholeResource')} · ${t(`governance.kinds.${r.kind}`)}`,
          },
          {
            key: 'progress',
            title: t('governance.progress'),
            render: (_: unknown, r: TaskDto) => `${r.problems - r.open} / ${r.problems}`,
          },
          {
            key: 'due',
            dataIndex: 'due',
            title: t('governance.due'),
            render: (v: string, r: TaskDto) =>
              r.overdue ? (
                <Tag color="error">
                  {v} {t('governance.overdue')}
                </Tag>
              ) : (
                v
              ),
          },
          {
            key: 'status',
            dataIndex: 'status',
            title: t('governance.status'),
            render: (s: string) => <Tag color={s === 'done' ? 'success' : 'processing'}>{t(`governance.${s}`)}</Tag>,
          },
        ]}
      />
    </>
  );
}
