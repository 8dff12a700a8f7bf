import { useState } from 'react';
import { useNavigate } from 'react-router';
import { Alert, App, Button, Form, Input, Modal, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { can, useSession } from '../auth/session';
import { showProblem } from '../components/forms';
import { fmtDateTime } from '../i18n';
import {
  marked,
  noticePage,
  webhookCreated,
  webhookDeliveryList,
  webhookList,
  webhookRemoved,
  type NoticeDto,
  type WebhookDelivery,
  type WebhookDto,
} from '../api/schemas';

const KINDS = [
  'objection.submitted',
  'objection.accepted',
  'objection.corrected',
  'objection.rejected',
  'objection.contested',
  'objection.overdue',
  'objection.fix_source',
  'demand.submitted',
  'demand.assigned',
  'demand.forwarded',
  'demand.matched',
  'demand.provided',
  'demand.overdue',
  'share.application.remind',
  'share.application.overdue',
  'share.grant.expiring',
];

/** Webhooks of the department: register (the signing secret is shown once), see deliveries, remove. */
function Webhooks() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [secret, setSecret] = useState<string | null>(null);
  const [shown, setShown] = useState<number | null>(null);
  const [dpage, setDpage] = useState(1);
  const list = useQuery({ queryKey: ['webhooks'], queryFn: () => api(webhookList, '/api/v1/webhooks') });
  const deliveries = useQuery({
    queryKey: ['webhooks', shown, dpage],
    queryFn: () => api(webhookDeliveryList, `/api/v1/webhooks/${shown}/deliveries?page=${dpage}&pageSize=10`),
    enabled: shown !== null,
  });
  const create = useMutation({
    mutationFn: (v: { url: string; kinds?: string[] }) =>
      api(webhookCreated, '/api/v1/webhooks', { method: 'POST', body: { url: v.url, kinds: v.kinds ?? [] } }),
    onSuccess: (r) => {
      form.resetFields();
      setSecret(r.secret);
      void qc.invalidateQueries({ queryKey: ['webhooks'] });
    },
    onError: (e) => showProblem(form, e, (s) => void message.error(s), ['url', 'kinds']),
  });
  const remove = useMutation({
    mutationFn: (id: number) => api(webhookRemoved, `/api/v1/webhooks/${id}`, { method: 'DELETE' }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['webhooks'] }),
  });
  return (
    <>
      <Typography.Paragraph type="secondary">{t('notify.webhookHelp')}</Typography.Paragraph>
      <Form form={form} layout="inline" onFinish={(v) => create.mutate(v)} style={{ marginBottom: 12 }}>
        <Form.Item name="url" rules={[{ required: true }]}>
          <Input placeholder="https://…" style={{ width: 320 }} />
        </Form.Item>
        <Form.Item name="kinds">
          <Select
            mode="multiple"
            allowClear
            placeholder={t('notify.allKinds')}
            style={{ width: 320 }}
            options={KINDS.map((k) => ({ value: k, label: k }))}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={create.isPending}>
          {t('notify.addWebhook')}
        </Button>
      </Form>
      {secret && (
        <Alert
          type="warning"
          showIcon
          closable
          onClose={() => setSecret(null)}
          style={{ marginBottom: 12 }}
          title={
            <>
              {t('notify.secretOnce')}{' '}
              <Typography.Text code copyable>
                {secret}
              </Typography.Text>
            </>
          }
        />
      )}
      <Table
        size="middle"
        rowKey="id"
        loading={list.isFetching}
        dataSource={list.data?.items}
        pagination={false}
        columns={[
          { key: 'u', dataIndex: 'url', title: 'URL' },
          { key: 'd', dataIndex: 'department', title: t('objection.department') },
          {
            key: 'k',
            title: t('notify.kinds'),
            render: (_: unknown, h: WebhookDto) =>
              h.kinds.length ? h.kinds.map((k) => <Tag key={k}>{k}</Tag>) : t('notify.allKinds'),
          },
          {
            key: 's',
            title: t('notify.deliveries'),
            render: (_: unknown, h: WebhookDto) => (
              <Space>
                {h.pending > 0 && <Tag color="processing">{t('notify.pending', { n: h.pending })}</Tag>}
                {h.failed > 0 && <Tag color="error">{t('notify.failed', { n: h.failed })}</Tag>}
                {h.lastDeliveredAt && fmtDateTime(h.lastDeliveredAt, i18n.language)}
              </Space>
            ),
          },
          {
            key: 'a',
            title: t('common.actions'),
            render: (_: unknown, h: WebhookDto) => (
              <Space>
                <Button
                  size="small"
                  onClick={() => {
                    setDpage(1);
                    setShown(h.id);
                  }}
                >
                  {t('notify.deliveries')}
                </Button>
                <Button size="small" danger onClick={() => remove.mutate(h.id)}>
                  {t('common.disable')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={shown !== null}
        width={760}
        footer={null}
        onCancel={() => setShown(null)}
        title={t('notify.deliveries')}
      >
        <Table
          size="small"
          rowKey="id"
          loading={deliveries.isFetching}
          dataSource={deliveries.data?.items}
          pagination={{ current: dpage, pageSize: 10, total: deliveries.data?.total ?? 0, onChange: setDpage }}
          columns={[
            { key: 'k', dataIndex: 'kind', title: t('notify.kinds') },
            { key: 't', dataIndex: 'title', title: t('notify.titleCol') },
            {
              key: 's',
              title: t('objection.status'),
              render: (_: unknown, d: WebhookDelivery) => (
                <Tag color={d.status === 'delivered' ? 'success' : d.status === 'failed' ? 'error' : 'processing'}>
                  {t(`notify.dstates.${d.status}`)}
                </Tag>
              ),
            },
            { key: 'a', dataIndex: 'attempts', title: t('notify.attempts') },
            { key: 'e', title: t('notify.lastError'), render: (_: unknown, d: WebhookDelivery) => d.lastError ?? '' },
          ]}
        />
      </Modal>
    </>
  );
}

/** 通知: every notice of mine (read or not), and the department's webhooks. */
export default function Notifications() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { data: session } = useSession();
  const [pg, setPg] = useState(1);
  const list = useQuery({
    queryKey: ['notifications', 'page', pg],
    queryFn: () => api(noticePage, '/api/v1/notifications', { query: { page: pg, pageSize: 20 } }),
  });
  const read = useMutation({
    mutationFn: (id: number) => api(marked, `/api/v1/notifications/${id}/read`, { method: 'POST' }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['notifications'] }),
  });
  const mine = (
    <Table
      size="middle"
      rowKey="id"
      loading={list.isFetching}
      dataSource={list.data?.items}
      onRow={(n) => ({
        onClick: () => {
          if (!n.read) read.mutate(n.id);
          if (n.link) navigate(n.link);
        },
        style: { cursor: n.link ? 'pointer' : undefined },
      })}
      pagination={{
        current: pg,
        pageSize: 20,
        total: list.data?.total ?? 0,
        onChange: setPg,
        showTotal: (n) => t('common.total', { total: n }),
      }}
      columns={[
        {
          key: 'r',
          title: '',
          width: 40,
          render: (_: unknown, n: NoticeDto) => (n.read ? '' : <Tag color="blue">{t('notify.new')}</Tag>),
        },
        {
          key: 't',
          title: t('notify.titleCol'),
          render: (_: unknown, n: NoticeDto) => (
            <>
              <Typography.Text strong={!n.read}>{n.title}</Typography.Text>
              {n.body && <div>{n.body}</div>}
            </>
          ),
        },
        { key: 'k', dataIndex: 'kind', title: t('notify.kinds') },
        {
          key: 'at',
          title: t('notify.at'),
          render: (_: unknown, n: NoticeDto) => fmtDateTime(n.createdAt, i18n.language),
        },
      ]}
    />
  );
  return (
    <>
      <Typography.Title level={3} className="gs-page-title">
        {t('notify.title')}
      </Typography.Title>
      <Tabs
        items={[
          { key: 'mine', label: t('notify.mine'), children: mine },
          ...(can(session!.user.roles, 'officer', 'admin')
            ? [{ key: 'hooks', label: t('notify.webhooks'), children: <Webhooks /> }]
            : []),
        ]}
      />
    </>
  );
}
