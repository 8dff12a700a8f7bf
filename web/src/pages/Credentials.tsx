import { useState } from 'react';
import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { api } from '../api/client';
import { appCredential, appCredentialSecret, pageOf } from '../api/schemas';
import { useServerTable } from '../components/table';
import { showProblem } from '../components/forms';
import { useDepartments } from '../components/useDepartments';
import SecretOnce from '../components/SecretOnce';
import { can, useSession } from '../auth/session';
import { fmtDateTime } from '../i18n';

type Credential = z.infer<typeof appCredential>;

export default function Credentials() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { data: session } = useSession();
  const isAdmin = can(session!.user.roles, 'admin');
  const table = useServerTable('-createdAt');
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<{ appKey: string; appSecret: string } | null>(null);
  const [form] = Form.useForm<{ name: string; departmentId?: string }>();
  const departments = useDepartments();

  const list = useQuery({
    queryKey: ['credentials', table.query],
    queryFn: () => api(pageOf(appCredential), '/api/v1/app-credentials', { query: table.query }),
    placeholderData: keepPreviousData,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['credentials'] });
  const showSecret = (r: z.infer<typeof appCredentialSecret>) => {
    setShown({ appKey: r.credential.appKey, appSecret: r.appSecret });
    void refresh();
  };
  const onError = (e: unknown) => showProblem(null, e, (s) => void message.error(s));

  const create = useMutation({
    mutationFn: (v: { name: string; departmentId?: string }) =>
      api(appCredentialSecret, '/api/v1/app-credentials', { method: 'POST', body: v }),
    onSuccess: (r) => {
      setCreating(false);
      showSecret(r);
    },
    onError: (e) => showProblem(form, e, (s) => void message.error(s), ['name', 'departmentId']),
  });
  const rotate = useMutation({
    mutationFn: (c: Credential) =>
      api(appCredentialSecret, `/api/v1/app-credentials/${c.id}/rotate`, { method: 'POST' }),
    onSuccess: showSecret,
    onError,
  });
  const revoke = useMutation({
    mutationFn: (c: Credential) => api(appCredential, `/api/v1/app-credentials/${c.id}/revoke`, { method: 'POST' }),
    onSuccess: () => void refresh(),
    onError,
  });

  return (
    <>
      <Typography.Title level={3} className="gs-page-title">
        {t('credentials.title')}
      </Typography.Title>
      <div className="gs-toolbar">
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => {
            form.resetFields();
            setCreating(true);
          }}
          data-testid="credential-create"
        >
          {t('credentials.create')}
        </Button>
      </div>
      <Table<Credential>
        rowKey="id"
        loading={list.isFetching}
        dataSource={list.data?.items}
        pagination={table.pagination(list.data?.total, (n) => t('common.total', { total: n }))}
        onChange={table.onChange}
        locale={{ emptyText: t('common.empty') }}
        columns={[
          {
            key: 'name',
            dataIndex: 'name',
            title: t('credentials.name'),
            sorter: true,
            sortOrder: table.sortOrder('name'),
          },
          {
            key: 'appKey',
            dataIndex: 'appKey',
            title: t('credentials.appKey'),
            render: (v: string) => (
              <Typography.Text className="gs-mono" copyable>
                {v}
              </Typography.Text>
            ),
          },
          {
            key: 'departmentId',
            dataIndex: 'departmentId',
            title: t('credentials.department'),
            render: (v: string) => departments.nameOf(v),
          },
          {
            key: 'status',
            dataIndex: 'status',
            title: t('credentials.status'),
            render: (v: 'active' | 'revoked') => <Tag color={v === 'active' ? 'green' : 'red'}>{t(`status.${v}`)}</Tag>,
          },
          {
            key: 'createdAt',
            dataIndex: 'createdAt',
            title: t('credentials.createdAt'),
            sorter: true,
            sortOrder: table.sortOrder('createdAt'),
            render: (v: string) => fmtDateTime(v, i18n.language),
          },
          {
            key: 'lastUsedAt',
            dataIndex: 'lastUsedAt',
            title: t('credentials.lastUsed'),
            sorter: true,
            sortOrder: table.sortOrder('lastUsedAt'),
            render: (v: string | null) => fmtDateTime(v, i18n.language),
          },
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_: unknown, c) =>
              c.status === 'active' && (
                <Space>
                  <Popconfirm
                    title={t('credentials.rotateConfirm')}
                    onConfirm={() => rotate.mutate(c)}
                    okText={t('common.confirm')}
                    cancelText={t('common.cancel')}
                  >
                    <Button size="small">{t('credentials.rotate')}</Button>
                  </Popconfirm>
                  <Popconfirm
                    title={t('credentials.revokeConfirm')}
                    onConfirm={() => revoke.mutate(c)}
                    okText={t('common.confirm')}
                    cancelText={t('common.cancel')}
                  >
                    <Button size="small" danger>
                      {t('credentials.revoke')}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('credentials.create')}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        confirmLoading={create.isPending}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        destroyOnHidden
        forceRender
      >
        <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)}>
          <Form.Item name="name" label={t('credentials.name')} rules={[{ required: true }, { min: 2, max: 100 }]}>
            <Input autoFocus />
          </Form.Item>
          {isAdmin && (
            <Form.Item name="departmentId" label={t('credentials.department')} rules={[{ required: true }]}>
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                options={departments.items.map((d) => ({ value: d.id, label: d.name }))}
              />
            </Form.Item>
          )}
        </Form>
      </Modal>
      <SecretOnce
        open={shown !== null}
        title={t('credentials.secret')}
        hint={t('credentials.secretOnce')}
        items={
          shown
            ? [
                { label: t('credentials.appKey'), value: shown.appKey },
                { label: t('credentials.secret'), value: shown.appSecret },
              ]
            : []
        }
        onClose={() => setShown(null)}
      />
    </>
  );
}
