import { useState } from 'react';
import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api } from '../api/client';
import { department, pageOf, region, validateUscc, type Department } from '../api/schemas';
import { useServerTable } from '../components/table';
import { showProblem } from '../components/forms';
import { fmtDateTime } from '../i18n';
import { useSession } from '../auth/session';

type Values = { name: string; shortName?: string; uscc: string; regionCode: string };
const FIELDS = ['name', 'shortName', 'uscc', 'regionCode'];

function RegionSelect(props: { value?: string; onChange?: (v: string) => void; nodeRegion: string }) {
  const [q, setQ] = useState('');
  const parent = props.nodeRegion.endsWith('00') ? props.nodeRegion : undefined;
  const regions = useQuery({
    queryKey: ['regions', q, parent],
    queryFn: () => api(z.array(region), '/api/v1/regions', { query: q ? { q, limit: 50 } : { parent, limit: 100 } }),
    placeholderData: keepPreviousData,
  });
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={props.value}
      onChange={props.onChange}
      options={(regions.data ?? []).map((r) => ({ value: r.code, label: `${r.code} ${r.name}` }))}
      loading={regions.isFetching}
    />
  );
}

export default function Departments() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { data: session } = useSession();
  const table = useServerTable('name');
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<Department | 'new' | null>(null);
  const [form] = Form.useForm<Values>();

  const list = useQuery({
    queryKey: ['departments', table.query, q],
    queryFn: () => api(pageOf(department), '/api/v1/departments', { query: { ...table.query, q } }),
    placeholderData: keepPreviousData,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['departments'] });

  const save = useMutation({
    mutationFn: (v: Values) =>
      editing === 'new'
        ? api(department, '/api/v1/departments', { method: 'POST', body: v })
        : api(department, `/api/v1/departments/${(editing as Department).id}`, { method: 'PATCH', body: v }),
    onSuccess: () => {
      void message.success(editing === 'new' ? t('departments.created') : t('common.saved'));
      setEditing(null);
      void refresh();
    },
    onError: (e) => showProblem(form, e, (s) => void message.error(s), FIELDS),
  });
  const setStatus = useMutation({
    mutationFn: (d: Department) =>
      api(department, `/api/v1/departments/${d.id}`, {
        method: 'PATCH',
        body: { status: d.status === 'active' ? 'disabled' : 'active' },
      }),
    onSuccess: () => void refresh(),
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });

  const open = (d: Department | 'new') => {
    setEditing(d);
    form.resetFields();
    if (d === 'new') form.setFieldsValue({ regionCode: session!.node.regionCode });
    else
      form.setFieldsValue({
        name: d.name,
        shortName: d.shortName ?? undefined,
        uscc: d.uscc ?? undefined,
        regionCode: d.regionCode,
      });
  };

  return (
    <>
      <Typography.Title level={3} className="gs-page-title">
        {t('departments.title')}
      </Typography.Title>
      <div className="gs-toolbar">
        <Input.Search
          allowClear
          placeholder={t('departments.searchPlaceholder')}
          style={{ width: 280 }}
          onSearch={(v) => {
            setQ(v);
            table.resetPage();
          }}
          aria-label={t('common.search')}
        />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="department-create">
          {t('departments.create')}
        </Button>
      </div>
      <Table<Department>
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
            title: t('departments.name'),
            sorter: true,
            sortOrder: table.sortOrder('name'),
            render: (v: string, d) => (
              <>
                {v} {d.isBureau && <Tag color="gold">{t('departments.isBureau')}</Tag>}
              </>
            ),
          },
          { key: 'shortName', dataIndex: 'shortName', title: t('departments.shortName') },
          {
            key: 'uscc',
            dataIndex: 'uscc',
            title: t('departments.uscc'),
            render: (v: string | null) => <span className="gs-mono">{v ?? '—'}</span>,
          },
          {
            key: 'regionCode',
            dataIndex: 'regionCode',
            title: t('departments.region'),
            sorter: true,
            sortOrder: table.sortOrder('regionCode'),
          },
          {
            key: 'status',
            dataIndex: 'status',
            title: t('departments.status'),
            render: (v: 'active' | 'disabled') => (
              <Tag color={v === 'active' ? 'green' : 'default'}>{t(`status.${v}`)}</Tag>
            ),
          },
          {
            key: 'createdAt',
            dataIndex: 'createdAt',
            title: t('departments.createdAt'),
            sorter: true,
            sortOrder: table.sortOrder('createdAt'),
            render: (v: string) => fmtDateTime(v, i18n.language),
          },
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_: unknown, d) => (
              <Space>
                <Button size="small" onClick={() => open(d)}>
                  {t('common.edit')}
                </Button>
                {d.status === 'active' ? (
                  <Popconfirm
                    title={t('departments.disableConfirm', { name: d.name })}
                    onConfirm={() => setStatus.mutate(d)}
                    okText={t('common.confirm')}
                    cancelText={t('common.cancel')}
                  >
                    <Button size="small" danger disabled={d.isBureau}>
                      {t('common.disable')}
                    </Button>
                  </Popconfirm>
                ) : (
                  <Button size="small" onClick={() => setStatus.mutate(d)}>
                    {t('common.enable')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={editing === 'new' ? t('departments.create') : t('departments.edit')}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        confirmLoading={save.isPending}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        destroyOnHidden
        forceRender
      >
        <Form
          form={form}
          layout="vertical"
          onFinish={(v) => save.mutate({ ...v, shortName: v.shortName || undefined })}
        >
          <Form.Item name="name" label={t('departments.name')} rules={[{ required: true }, { min: 2, max: 100 }]}>
            <Input autoFocus />
          </Form.Item>
          <Form.Item name="shortName" label={t('departments.shortName')}>
            <Input />
          </Form.Item>
          <Form.Item
            name="uscc"
            label={t('departments.uscc')}
            rules={[
              { required: true },
              {
                validator: (_, v: string) =>
                  !v || validateUscc(v).valid
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('departments.usccInvalid'))),
              },
            ]}
          >
            <Input className="gs-mono" maxLength={20} />
          </Form.Item>
          <Form.Item name="regionCode" label={t('departments.region')} rules={[{ required: true }]}>
            <RegionSelect nodeRegion={session!.node.regionCode} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
