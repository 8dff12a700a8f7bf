import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { App, Button, Form, Input, Modal, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { demandCreated, demandPage, demandStatsAnswer, type DemandDto } from '../api/demand';
import { can, useSession } from '../auth/session';
import { showProblem } from '../components/forms';
import { fmtDateTime } from '../i18n';
import { COLOR, Detail } from './demand/Detail';

type Demand = DemandDto;

/** 数据需求 (供需对接): my department's demands, those assigned to it, the bureau's queue with the time left, counts per department. */
export default function Demands() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { data: session } = useSession();
  const roles = session!.user.roles;
  const [params, setParams] = useSearchParams();
  const shown = params.get('id') ? Number(params.get('id')) : null;
  const [tab, setTab] = useState(can(roles, 'admin') ? 'all' : 'mine');
  const [creating, setCreating] = useState(false);
  const [pg, setPg] = useState(1);
  const [form] = Form.useForm();
  const list = useQuery({
    queryKey: ['demands', tab, pg],
    queryFn: () => api(demandPage, '/api/v1/demands', { query: { scope: tab, page: pg } }),
    enabled: tab !== 'stats',
  });
  const stats = useQuery({
    queryKey: ['demands', 'stats'],
    queryFn: () => api(demandStatsAnswer, '/api/v1/demands/stats'),
    enabled: tab === 'stats',
  });
  const create = useMutation({
    mutationFn: (v: Record<string, unknown>) =>
      api(demandCreated, '/api/v1/demands', { method: 'POST', body: { ...v, fields: v.fields ?? [] } }),
    onSuccess: (r) => {
      setCreating(false);
      form.resetFields();
      void qc.invalidateQueries({ queryKey: ['demands'] });
      void message.success(t('demand.submitted'));
      setParams({ id: String(r.id) });
    },
    onError: (e) =>
      showProblem(form, e, (s) => void message.error(s), [
        'title',
        'description',
        'purpose',
        'fields',
        'legalBasis',
        'scenario',
      ]),
  });
  const tabs = [
    ...(can(roles, 'consumer', 'officer') ? [{ key: 'mine', label: t('demand.mine') }] : []),
    ...(can(roles, 'officer') ? [{ key: 'assigned', label: t('demand.assigned') }] : []),
    ...(can(roles, 'admin', 'auditor') ? [{ key: 'all', label: t('demand.all') }] : []),
    ...(can(roles, 'admin', 'auditor', 'officer') ? [{ key: 'stats', label: t('demand.stats') }] : []),
  ];
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={3} className="gs-page-title">
          {t('demand.title')}
        </Typography.Title>
        {can(roles, 'consumer', 'officer') && (
          <Button type="primary" onClick={() => setCreating(true)} data-testid="demand-new">
            {t('demand.new')}
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
            { key: 'd', dataIndex: 'department', title: t('demand.department') },
            { key: 'r', dataIndex: 'raised', title: t('demand.raised') },
            { key: 'o', dataIndex: 'open', title: t('demand.open') },
            {
              key: 'x',
              dataIndex: 'overdue',
              title: t('demand.overdue'),
              render: (n: number) => (n ? <Tag color="error">{n}</Tag> : 0),
            },
            { key: 'a', dataIndex: 'assigned', title: t('demand.states.assigned') },
            { key: 'p', dataIndex: 'provided', title: t('demand.states.provided') },
            { key: 'g', dataIndex: 'avgRating', title: t('demand.rating') },
          ]}
        />
      ) : (
        <>
          <Button href={`/api/v1/demands/export.xlsx?scope=${tab}`} style={{ marginBottom: 12 }}>
            {t('demand.export')}
          </Button>
          <Table
            size="middle"
            rowKey="id"
            loading={list.isFetching}
            dataSource={list.data?.items}
            scroll={{ x: true }}
            data-testid="demand-list"
            rowClassName={(r: Demand) => (r.overdue ? 'gs-row-overdue' : '')}
            onRow={(r: Demand) => ({ onClick: () => setParams({ id: String(r.id) }), style: { cursor: 'pointer' } })}
            pagination={{
              current: pg,
              pageSize: 20,
              total: list.data?.total ?? 0,
              onChange: setPg,
              showTotal: (n) => t('common.total', { total: n }),
            }}
            columns={[
              { key: 'id', dataIndex: 'id', title: '#' },
              { key: 't', dataIndex: 'title', title: t('demand.name') },
              { key: 'd', dataIndex: 'department', title: t('demand.department') },
              {
                key: 's',
                title: t('demand.status'),
                render: (_: unknown, r: Demand) => <Tag color={COLOR[r.status]}>{t(`demand.states.${r.status}`)}</Tag>,
              },
              {
                key: 'due',
                title: t('demand.due'),
                render: (_: unknown, r: Demand) =>
                  r.status === 'submitted' ? (
                    <Tag color={r.overdue ? 'error' : 'default'}>
                      {r.due}
                      {r.overdue ? ` · ${t('demand.overdue')}` : ''}
                    </Tag>
                  ) : r.onTime === false ? (
                    <Tag color="error">{t('demand.late')}</Tag>
                  ) : (
                    ''
                  ),
              },
              {
                key: 'r',
                title: t('demand.resource'),
                render: (_: unknown, r: Demand) => r.resourceName ?? r.assignedDepartment ?? '',
              },
              {
                key: 'at',
                title: t('demand.createdAt'),
                render: (_: unknown, r: Demand) => fmtDateTime(r.createdAt, i18n.language),
              },
            ]}
          />
        </>
      )}
      {shown !== null && <Detail id={shown} onClose={() => setParams({})} />}
      <Modal
        open={creating}
        title={t('demand.new')}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        confirmLoading={create.isPending}
        width={640}
      >
        <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)}>
          <Form.Item name="title" label={t('demand.name')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="description" label={t('demand.description')} rules={[{ required: true, min: 4 }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item name="fields" label={t('demand.fields')} extra={t('demand.fieldsHint')}>
            <Select mode="tags" />
          </Form.Item>
          <Form.Item name="purpose" label={t('demand.purpose')} rules={[{ required: true, min: 4 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="legalBasis" label={t('demand.legalBasis')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="scenario" label={t('demand.scenario')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
