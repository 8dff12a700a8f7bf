import { useState } from 'react';
import { useSearchParams } from 'react-router';
import {
  App,
  Button,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Radio,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Timeline,
  Typography,
  Upload,
} from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, csrfToken, ApiError } from '../api/client';
import { resourceDto, searchResult } from '../api/schemas';
import {
  objectionCreated,
  objectionDetail,
  objectionPage,
  objectionStatsAnswer,
  objectionStep,
  type ObjectionDto,
} from '../api/objection';
import { can, useSession } from '../auth/session';
import { showProblem } from '../components/forms';
import { fmtDateTime } from '../i18n';

type Objection = ObjectionDto;
const COLOR: Record<string, string> = {
  submitted: 'processing',
  flagged: 'warning',
  not_accepted: 'default',
  corrected: 'success',
  rejected: 'error',
  contested: 'magenta',
  archived: 'default',
};

/** Raise an objection: the resource (from the page it was opened on, or searched), the record by its key, the item, the right value. */
function RaiseForm({ resourceId: initial, onDone }: { resourceId: string | null; onDone: (id: number) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [resourceId, setResourceId] = useState<string | null>(initial);
  const [q, setQ] = useState('');
  const search = useQuery({
    queryKey: ['objection-res', q],
    queryFn: () => api(searchResult, '/api/v1/catalog/search', { query: { q, pageSize: 20 } }),
  });
  const res = useQuery({
    queryKey: ['objection-res-items', resourceId],
    queryFn: () => api(resourceDto, `/api/v1/catalog/resources/${resourceId}`),
    enabled: !!resourceId,
  });
  const items = res.data?.published?.items ?? [];
  const keys = items.filter((i) => i.primaryKey);
  const raise = useMutation({
    mutationFn: (v: Record<string, string | undefined>) =>
      api(objectionCreated, '/api/v1/objections', {
        method: 'POST',
        body: {
          resourceId,
          description: v.description,
          ...(v.field && { field: v.field }),
          ...(v.proposedValue && { proposedValue: v.proposedValue }),
          ...(keys.length &&
            keys.some((k) => v[`key_${k.name}`]) && {
              recordKey: Object.fromEntries(keys.map((k) => [k.name, v[`key_${k.name}`] ?? ''])),
            }),
        },
      }),
    onSuccess: (r) => {
      form.resetFields();
      void message.success(t('objection.raised'));
      onDone(r.id);
    },
    onError: (e) => showProblem(form, e, (s) => void message.error(s), ['description', 'field', 'proposedValue']),
  });
  return (
    <Form form={form} layout="vertical" onFinish={(v) => raise.mutate(v)} data-testid="objection-form">
      <Form.Item label={t('objection.resource')} required>
        <Select
          showSearch
          value={resourceId ?? undefined}
          onSearch={setQ}
          filterOption={false}
          onChange={(v) => setResourceId(v)}
          data-testid="objection-resource"
          options={[
            ...(res.data?.published && !search.data?.items.some((r) => r.id === resourceId)
              ? [{ value: res.data.id, label: res.data.published.meta.name }]
              : []),
            ...(search.data?.items ?? []).map((r) => ({ value: r.id, label: `${r.name} · ${r.departmentName}` })),
          ]}
        />
      </Form.Item>
      {keys.map((k) => (
        <Form.Item
          key={k.name}
          name={`key_${k.name}`}
          label={`${t('objection.recordKey')}：${k.label}`}
          extra={t('objection.keyHint')}
        >
          <Input data-testid={`objection-key-${k.name}`} />
        </Form.Item>
      ))}
      <Form.Item name="field" label={t('objection.field')}>
        <Select
          allowClear
          data-testid="objection-field"
          options={items.filter((i) => !i.primaryKey).map((i) => ({ value: i.name, label: `${i.label}（${i.name}）` }))}
        />
      </Form.Item>
      <Form.Item name="proposedValue" label={t('objection.proposed')}>
        <Input data-testid="objection-proposed" />
      </Form.Item>
      <Form.Item name="description" label={t('objection.description')} rules={[{ required: true, min: 4 }]}>
        <Input.TextArea rows={3} data-testid="objection-description" />
      </Form.Item>
      <Button
        type="primary"
        htmlType="submit"
        loading={raise.isPending}
        disabled={!resourceId}
        data-testid="objection-submit"
      >
        {t('objection.submit')}
      </Button>
    </Form>
  );
}

/** One objection: what, who, the due date, the trail, the corrections, the evidence, and the step the viewer may take. */
function Detail({ id, onClose }: { id: number; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { data: session } = useSession();
  const user = session!.user;
  const [act, setAct] = useState<null | 'refuse' | 'correct' | 'reject' | 'contest' | 'uphold' | 'reopen'>(null);
  const [text, setText] = useState('');
  const [value, setValue] = useState('');
  const o = useQuery({
    queryKey: ['objections', 'one', id],
    queryFn: () => api(objectionDetail, `/api/v1/objections/${id}`),
  });
  const step = useMutation({
    mutationFn: ({ path, body }: { path: string; body: object }) =>
      api(objectionStep, `/api/v1/objections/${id}/${path}`, { method: 'POST', body }),
    onSuccess: (r) => {
      setAct(null);
      setText('');
      void qc.invalidateQueries({ queryKey: ['objections'] });
      void message.success(t(`objection.states.${r.status}`));
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  if (!o.data) return <Drawer open onClose={onClose} loading />;
  const d = o.data;
  const { provider, raiser } = d.viewer;
  const run = () => {
    if (act === 'refuse') step.mutate({ path: 'accept', body: { accept: false, reason: text } });
    if (act === 'correct')
      step.mutate({
        path: 'handle',
        body: { decision: 'correct', reason: text, changes: d.field ? { [d.field]: value } : {} },
      });
    if (act === 'reject') step.mutate({ path: 'handle', body: { decision: 'reject', reason: text } });
    if (act === 'contest') step.mutate({ path: 'respond', body: { decision: 'contest', comment: text } });
    if (act === 'uphold' || act === 'reopen') step.mutate({ path: 'review', body: { decision: act, reason: text } });
  };
  const upload = async (file: File) => {
    const res = await fetch(`/api/v1/objections/${id}/attachments?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      body: file,
      headers: { 'content-type': file.type || 'application/octet-stream', 'x-csrf-token': csrfToken() ?? '' },
      credentials: 'same-origin',
    });
    if (!res.ok) {
      const p = await res.json().catch(() => ({ code: `HTTP_${res.status}` }));
      showProblem(null, new ApiError({ ...p, status: res.status }), (s) => void message.error(s));
    } else void qc.invalidateQueries({ queryKey: ['objections'] });
  };
  return (
    <Drawer
      open
      width={720}
      onClose={onClose}
      title={`${t('objection.title')} #${d.id}`}
      data-testid="objection-drawer"
    >
      <Descriptions
        size="small"
        column={1}
        bordered
        items={[
          {
            key: 's',
            label: t('objection.status'),
            children: (
              <Space>
                <Tag color={COLOR[d.status]} data-testid="objection-status">
                  {t(`objection.states.${d.status}`)}
                </Tag>
                {d.flagged && <Tag color="warning">{t('objection.flaggedTag')}</Tag>}
                {d.due && d.status !== 'archived' && (
                  <Tag color={d.overdue ? 'error' : 'default'}>
                    {t('objection.due')} {d.due}
                  </Tag>
                )}
              </Space>
            ),
          },
          { key: 'r', label: t('objection.resource'), children: `${d.resourceName ?? d.resourceId} · ${d.provider}` },
          {
            key: 'k',
            label: t('objection.recordKey'),
            children: d.recordKey ? Object.values(d.recordKey).join(' / ') : t('objection.wholeResource'),
          },
          { key: 'f', label: t('objection.field'), children: d.field ?? '—' },
          {
            key: 'v',
            label: t('objection.seenProposed'),
            children: `${d.seenValue ?? '—'} → ${d.proposedValue ?? '—'}`,
          },
          { key: 'd', label: t('objection.description'), children: d.description },
          {
            key: 'who',
            label: t('objection.raiser'),
            children: `${d.raiserName}${d.raiserDepartment ? ` · ${d.raiserDepartment}` : ''}`,
          },
          ...(d.reason ? [{ key: 'why', label: t('objection.reason'), children: d.reason }] : []),
          ...(d.sourceReminded
            ? [{ key: 'src', label: t('objection.source'), children: t('objection.sourceReminded') }]
            : []),
        ]}
      />
      <Space wrap style={{ margin: '12px 0' }}>
        {d.status === 'submitted' && provider && (
          <>
            <Button
              type="primary"
              onClick={() => step.mutate({ path: 'accept', body: { accept: true } })}
              loading={step.isPending}
              data-testid="objection-accept"
            >
              {t('objection.accept')}
            </Button>
            <Button onClick={() => setAct('refuse')}>{t('objection.refuse')}</Button>
          </>
        )}
        {d.status === 'flagged' && provider && (
          <>
            <Button
              type="primary"
              onClick={() => {
                setValue(d.proposedValue ?? '');
                setAct('correct');
              }}
              data-testid="objection-correct"
            >
              {t('objection.correct')}
            </Button>
            <Button danger onClick={() => setAct('reject')}>
              {t('objection.reject')}
            </Button>
          </>
        )}
        {['corrected', 'rejected', 'not_accepted'].includes(d.status) && raiser && (
          <>
            <Button
              type="primary"
              onClick={() => step.mutate({ path: 'respond', body: { decision: 'accept' } })}
              data-testid="objection-confirm"
            >
              {t('objection.confirm')}
            </Button>
            {!d.contested && <Button onClick={() => setAct('contest')}>{t('objection.contest')}</Button>}
          </>
        )}
        {d.status === 'contested' && can(user.roles, 'admin') && (
          <>
            <Button onClick={() => setAct('uphold')}>{t('objection.uphold')}</Button>
            <Button type="primary" onClick={() => setAct('reopen')}>
              {t('objection.reopen')}
            </Button>
          </>
        )}
        {d.status !== 'archived' && (raiser || provider) && (
          <Upload
            accept="image/png,image/jpeg,application/pdf"
            showUploadList={false}
            customRequest={({ file }) => void upload(file as File)}
          >
            <Button icon={<UploadOutlined />}>{t('objection.attach')}</Button>
          </Upload>
        )}
      </Space>
      {d.attachments.length > 0 && (
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={d.attachments}
          style={{ marginBottom: 12 }}
          columns={[
            {
              key: 'n',
              title: t('objection.attachments'),
              render: (_: unknown, a) => <a href={`/api/v1/objections/${id}/attachments/${a.id}`}>{a.name}</a>,
            },
            {
              key: 's',
              title: t('objection.size'),
              render: (_: unknown, a) => (a.size < 1024 ? `${a.size} B` : `${(a.size / 1024).toFixed(0)} KB`),
            },
            { key: 'b', dataIndex: 'uploadedBy', title: t('objection.by') },
          ]}
        />
      )}
      {d.corrections.length > 0 && (
        <Table
          size="small"
          rowKey={(c) => `${c.field}${c.at}`}
          pagination={false}
          dataSource={d.corrections}
          style={{ marginBottom: 12 }}
          data-testid="objection-corrections"
          columns={[
            { key: 'f', dataIndex: 'field', title: t('objection.field') },
            { key: 'o', dataIndex: 'oldValue', title: t('objection.old') },
            { key: 'n', dataIndex: 'newValue', title: t('objection.new') },
            { key: 'r', dataIndex: 'reason', title: t('objection.reason') },
            {
              key: 'b',
              title: t('objection.by'),
              render: (_: unknown, c) => `${c.by} · ${fmtDateTime(c.at, i18n.language)}`,
            },
          ]}
        />
      )}
      <Typography.Title level={5}>{t('objection.trail')}</Typography.Title>
      <Timeline
        data-testid="objection-trail"
        items={d.trail.map((e) => ({
          children: (
            <>
              <b>{t(`objection.steps.${e.step}`)}</b> · {e.by} · {fmtDateTime(e.at, i18n.language)}
              {e.comment && <div>{e.comment}</div>}
            </>
          ),
        }))}
      />
      <Modal
        open={!!act}
        title={act && t(`objection.${act}`)}
        onCancel={() => setAct(null)}
        onOk={run}
        confirmLoading={step.isPending}
        okButtonProps={{ 'data-testid': 'objection-ok' } as Record<string, string>}
      >
        {act === 'correct' && d.field && (
          <Form.Item label={`${t('objection.new')}（${d.field}）`}>
            <Input value={value} onChange={(e) => setValue(e.target.value)} data-testid="objection-value" />
          </Form.Item>
        )}
        <Input.TextArea
          rows={3}
          placeholder={t('objection.reason')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="objection-reason"
        />
      </Modal>
    </Drawer>
  );
}

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
