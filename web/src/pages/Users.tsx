import { useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { pageOf, ROLES, user, type Role, type User, passwordReset, userCreated } from '../api/schemas';
import { useServerTable } from '../components/table';
import { showProblem } from '../components/forms';
import { useDepartments } from '../components/useDepartments';
import SecretOnce from '../components/SecretOnce';
import { can, useSession } from '../auth/session';
import { fmtDateTime } from '../i18n';

type Values = {
  username?: string;
  displayName: string;
  email?: string;
  departmentId: string;
  roles: Role[];
  password?: string;
  status?: 'active' | 'disabled';
};
const FIELDS = ['username', 'displayName', 'email', 'departmentId', 'roles', 'password'];
const created = userCreated;

export default function Users() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { data: session } = useSession();
  const isAdmin = can(session!.user.roles, 'admin');
  const table = useServerTable('username');
  const [q, setQ] = useState('');
  const [departmentId, setDepartmentId] = useState<string | undefined>();
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [secret, setSecret] = useState<{ name: string; password: string } | null>(null);
  const [form] = Form.useForm<Values>();
  const departments = useDepartments();

  const list = useQuery({
    queryKey: ['users', table.query, q, departmentId],
    queryFn: () => api(pageOf(user), '/api/v1/users', { query: { ...table.query, q, departmentId } }),
    placeholderData: keepPreviousData,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['users'] });

  const save = useMutation({
    mutationFn: async (v: Values) => {
      if (editing === 'new')
        return api(created, '/api/v1/users', {
          method: 'POST',
          body: { ...v, email: v.email || undefined, password: v.password || undefined },
        });
      const u = await api(user, `/api/v1/users/${(editing as User).id}`, {
        method: 'PATCH',
        body: {
          displayName: v.displayName,
          email: v.email || null,
          departmentId: v.departmentId,
          roles: v.roles,
          status: v.status,
        },
      });
      return { user: u, initialPassword: null };
    },
    onSuccess: (r) => {
      setEditing(null);
      if (r.initialPassword) setSecret({ name: r.user.username, password: r.initialPassword });
      else void message.success(t('common.saved'));
      void refresh();
    },
    onError: (e) => showProblem(form, e, (s) => void message.error(s), FIELDS),
  });
  const reset = useMutation({
    mutationFn: (u: User) =>
      api(passwordReset, `/api/v1/users/${u.id}/reset-password`, { method: 'POST', body: {} }).then((r) => ({
        name: u.username,
        password: r.password,
      })),
    onSuccess: (r) => {
      setSecret(r);
      void refresh();
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });

  const open = (u: User | 'new') => {
    setEditing(u);
    form.resetFields();
    if (u !== 'new')
      form.setFieldsValue({
        displayName: u.displayName,
        email: u.email ?? undefined,
        departmentId: u.departmentId,
        roles: u.roles,
        status: u.status,
      });
  };

  return (
    <>
      <Typography.Title level={3} className="gs-page-title">
        {t('users.title')}
      </Typography.Title>
      {!isAdmin && <Alert type="info" showIcon title={t('users.readOnly')} style={{ marginBottom: 16 }} />}
      <div className="gs-toolbar">
        <Input.Search
          allowClear
          placeholder={t('users.searchPlaceholder')}
          style={{ width: 260 }}
          onSearch={(v) => {
            setQ(v);
            table.resetPage();
          }}
          aria-label={t('common.search')}
        />
        {isAdmin && (
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('users.department')}
            style={{ width: 260 }}
            value={departmentId}
            onChange={(v) => {
              setDepartmentId(v);
              table.resetPage();
            }}
            options={departments.items.map((d) => ({ value: d.id, label: d.name }))}
            aria-label={t('users.department')}
          />
        )}
        {isAdmin && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="user-create">
            {t('users.create')}
          </Button>
        )}
      </div>
      <Table<User>
        rowKey="id"
        loading={list.isFetching}
        dataSource={list.data?.items}
        pagination={table.pagination(list.data?.total, (n) => t('common.total', { total: n }))}
        onChange={table.onChange}
        locale={{ emptyText: t('common.empty') }}
        columns={[
          {
            key: 'username',
            dataIndex: 'username',
            title: t('users.username'),
            sorter: true,
            sortOrder: table.sortOrder('username'),
          },
          {
            key: 'displayName',
            dataIndex: 'displayName',
            title: t('users.displayName'),
            sorter: true,
            sortOrder: table.sortOrder('displayName'),
          },
          { key: 'departmentName', dataIndex: 'departmentName', title: t('users.department') },
          {
            key: 'roles',
            dataIndex: 'roles',
            title: t('users.roles'),
            render: (rs: Role[]) => rs.map((r) => <Tag key={r}>{t(`role.${r}`)}</Tag>),
          },
          {
            key: 'status',
            dataIndex: 'status',
            title: t('users.status'),
            render: (v: 'active' | 'disabled', u) => (
              <>
                <Tag color={v === 'active' ? 'green' : 'default'}>{t(`status.${v}`)}</Tag>
                {u.lockedUntil && <Tag color="red">{t('users.locked')}</Tag>}
                {u.mustChangePassword && <Tag color="orange">{t('users.mustChange')}</Tag>}
              </>
            ),
          },
          {
            key: 'lastLoginAt',
            dataIndex: 'lastLoginAt',
            title: t('users.lastLogin'),
            sorter: true,
            sortOrder: table.sortOrder('lastLoginAt'),
            render: (v: string | null) => fmtDateTime(v, i18n.language),
          },
          ...(isAdmin
            ? [
                {
                  key: 'actions',
                  title: t('common.actions'),
                  render: (_: unknown, u: User) => (
                    <Space>
                      <Button size="small" onClick={() => open(u)}>
                        {t('common.edit')}
                      </Button>
                      <Popconfirm
                        title={t('users.resetConfirm', { name: u.username })}
                        onConfirm={() => reset.mutate(u)}
                        okText={t('common.confirm')}
                        cancelText={t('common.cancel')}
                      >
                        <Button size="small">{t('users.resetPassword')}</Button>
                      </Popconfirm>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={editing !== null}
        title={editing === 'new' ? t('users.create') : t('users.edit')}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        confirmLoading={save.isPending}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        destroyOnHidden
        forceRender
      >
        <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
          {editing === 'new' && (
            <Form.Item
              name="username"
              label={t('users.username')}
              rules={[{ required: true }, { pattern: /^[a-zA-Z0-9][a-zA-Z0-9_.-]{2,63}$/ }]}
            >
              <Input autoFocus autoComplete="off" />
            </Form.Item>
          )}
          <Form.Item name="displayName" label={t('users.displayName')} rules={[{ required: true }, { max: 64 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="email" label={t('users.email')} rules={[{ type: 'email' }]} extra={t('users.emailHint')}>
            <Input />
          </Form.Item>
          <Form.Item name="departmentId" label={t('users.department')} rules={[{ required: true }]}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              options={departments.items.map((d) => ({ value: d.id, label: d.name }))}
            />
          </Form.Item>
          <Form.Item name="roles" label={t('users.roles')} rules={[{ required: true }]}>
            <Select
              mode="multiple"
              showSearch={{ optionFilterProp: 'label' }}
              options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
            />
          </Form.Item>
          {editing === 'new' ? (
            <Form.Item name="password" label={t('users.passwordOptional')} extra={t('password.policy')}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          ) : (
            <Form.Item name="status" label={t('users.status')}>
              <Select options={(['active', 'disabled'] as const).map((s) => ({ value: s, label: t(`status.${s}`) }))} />
            </Form.Item>
          )}
        </Form>
      </Modal>
      <SecretOnce
        open={secret !== null}
        title={`${t('users.initialPassword')} · ${secret?.name ?? ''}`}
        hint={t('users.passwordOnce')}
        items={secret ? [{ label: t('users.initialPassword'), value: secret.password }] : []}
        onClose={() => setSecret(null)}
      />
    </>
  );
}
