import { lazy, Suspense, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api } from '../api/client';
import {
  adoptAnswer,
  checkDto,
  checkResult,
  problemPage,
  profileAnswer,
  ruleDto,
  rulesAnswer,
  scoreBoard,
  taskPage,
  trendAnswer,
  type ProblemDto,
  type RuleDto,
  type RuleInput,
  type TaskDto,
} from '../api/governance';
import { pageOf, resourceSummary } from '../api/schemas';
import { can, useSession } from '../auth/session';
import { showProblem } from '../components/forms';
import { useServerTable } from '../components/table';
import { fmtDateTime } from '../i18n';

const Chart = lazy(() => import('../components/Chart'));

const STATE: Record<string, string> = { open: 'warning', fixed: 'success', confirmed: 'default' };
const DIMENSIONS = ['completeness', 'validity', 'uniqueness', 'consistency', 'timeliness'];

/** 质量规则: a resource's rules and suggestions, a check on demand, and its score trend. */
function Rules({ officer }: { officer: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [resourceId, setResourceId] = useState<string>();
  const resources = useQuery({
    queryKey: ['gov-resources'],
    queryFn: () =>
      api(pageOf(resourceSummary), '/api/v1/catalog/resources', { query: { status: 'published', pageSize: 200 } }),
  });
  const list = useQuery({
    queryKey: ['gov-rules', resourceId],
    queryFn: () => api(rulesAnswer, `/api/v1/governance/resources/${resourceId}/rules`),
    enabled: !!resourceId,
  });
  const checks = useQuery({
    queryKey: ['gov-checks', resourceId],
    queryFn: () => api(z.array(checkDto), `/api/v1/governance/resources/${resourceId}/checks`),
    enabled: !!resourceId,
  });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['gov-rules', resourceId] });
    void qc.invalidateQueries({ queryKey: ['gov-checks', resourceId] });
  };
  const save = useMutation({
    mutationFn: (r: RuleInput) =>
      api(ruleDto, `/api/v1/governance/resources/${resourceId}/rules`, { method: 'PUT', body: r }),
    onSuccess: refresh,
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  const adoptAll = useMutation({
    mutationFn: () => api(adoptAnswer, `/api/v1/governance/resources/${resourceId}/rules/adopt`, { method: 'POST' }),
    onSuccess: refresh,
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(z.undefined(), `/api/v1/governance/rules/${id}`, { method: 'DELETE' }),
    onSuccess: refresh,
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  const run = useMutation({
    mutationFn: () => api(checkResult, `/api/v1/governance/resources/${resourceId}/check`, { method: 'POST' }),
    onSuccess: (r) => {
      void message.success(t('governance.checked', { score: r.score ?? '—', opened: r.opened, fixed: r.fixed }));
      refresh();
      void qc.invalidateQueries({ queryKey: ['gov-scores'] });
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  const itemLabel = (r: { item: string | null }) => r.item ?? t('governance.wholeResource');
  const history = [...(checks.data ?? [])].reverse();
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Space wrap>
        <Select
          showSearch
          optionFilterProp="label"
          style={{ width: 360 }}
          placeholder={t('governance.pickResource')}
          aria-label={t('governance.resource')}
          value={resourceId}
          onChange={setResourceId}
          options={(resources.data?.items ?? []).map((r) => ({ value: r.id, label: `${r.code ?? ''} ${r.name}` }))}
        />
        {resourceId && officer && (
          <Button
            onClick={() => adoptAll.mutate()}
            loading={adoptAll.isPending}
            disabled={!list.data?.suggestions.length}
          >
            {t('governance.adoptAll')}
          </Button>
        )}
        {resourceId && (
          <Button type="primary" onClick={() => run.mutate()} loading={run.isPending}>
            {t('governance.checkNow')}
          </Button>
        )}
      </Space>
      {resourceId && history.length > 0 && (
        <Card size="small" title={t('governance.trend')}>
          <Suspense fallback={null}>
            <Chart
              label={t('governance.trend')}
              height={220}
              option={{
                animation: false,
                tooltip: { trigger: 'axis' },
                legend: { top: 0 },
                grid: { left: 40, right: 20, top: 30, bottom: 30 },
                xAxis: { type: 'category', data: history.map((c) => fmtDateTime(c.startedAt, i18n.language)) },
                yAxis: { type: 'value', min: (v: { min: number }) => Math.max(0, Math.floor(v.min - 5)), max: 100 },
                series: [
                  { name: t('governance.score'), type: 'line', data: history.map((c) => c.score), smooth: true },
                  ...DIMENSIONS.filter((d) => history.some((c) => c.metrics[d] !== undefined)).map((d) => ({
                    name: t(`governance.dimensions.${d}`),
                    type: 'line',
                    data: history.map((c) =>
                      c.metrics[d] === undefined ? null : Math.round(c.metrics[d]! * 10000) / 100,
                    ),
                  })),
                ],
              }}
            />
          </Suspense>
        </Card>
      )}
      {resourceId && (
        <>
          <Typography.Title level={5}>{t('governance.saved')}</Typography.Title>
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            loading={list.isFetching}
            dataSource={list.data?.rules}
            locale={{ emptyText: t('common.empty') }}
            columns={[
              {
                key: 'item',
                title: t('governance.item'),
                render: (_: unknown, r: RuleDto) => <span className="gs-mono">{itemLabel(r)}</span>,
              },
              {
                key: 'kind',
                title: t('governance.kind'),
                render: (_: unknown, r: RuleDto) => t(`governance.kinds.${r.kind}`),
              },
              {
                key: 'dimension',
                title: t('governance.dimension'),
                render: (_: unknown, r: RuleDto) => t(`governance.dimensions.${r.dimension}`),
              },
              {
                key: 'severity',
                title: t('governance.severity'),
                render: (_: unknown, r: RuleDto) => (
                  <Select
                    size="small"
                    style={{ width: 200 }}
                    disabled={!officer || r.item === null}
                    value={r.severity}
                    aria-label={`${t('governance.severity')} ${itemLabel(r)} ${r.kind}`}
                    onChange={(v) =>
                      save.mutate({ item: r.item, kind: r.kind, params: r.params, severity: v, enabled: r.enabled })
                    }
                    options={[
                      { value: 'flagging', label: t('governance.flagging') },
                      { value: 'blocking', label: t('governance.blocking') },
                    ]}
                  />
                ),
              },
              {
                key: 'enabled',
                title: t('governance.enabled'),
                render: (_: unknown, r: RuleDto) => (
                  <Switch
                    size="small"
                    disabled={!officer}
                    checked={r.enabled}
                    onChange={(v) =>
                      save.mutate({ item: r.item, kind: r.kind, params: r.params, severity: r.severity, enabled: v })
                    }
                  />
                ),
              },
              {
                key: 'actions',
                title: t('common.actions'),
                render: (_: unknown, r: RuleDto) =>
                  officer ? (
                    <Popconfirm title={t('governance.remove')} onConfirm={() => remove.mutate(r.id)}>
                      <Button size="small" danger>
                        {t('governance.remove')}
                      </Button>
                    </Popconfirm>
                  ) : null,
              },
            ]}
          />
          {(list.data?.suggestions.length ?? 0) > 0 && (
            <>
              <Typography.Title level={5}>{t('governance.suggestions')}</Typography.Title>
              <Table
                size="small"
                rowKey={(r) => `${r.item}|${r.kind}`}
                pagination={false}
                dataSource={list.data?.suggestions}
                columns={[
                  {
                    key: 'item',
                    title: t('governance.item'),
                    render: (_: unknown, r: RuleInput) => <span className="gs-mono">{itemLabel(r)}</span>,
                  },
                  {
                    key: 'kind',
                    title: t('governance.kind'),
                    render: (_: unknown, r: RuleInput) => t(`governance.kinds.${r.kind}`),
                  },
                  {
                    key: 'params',
                    title: '',
                    render: (_: unknown, r: RuleInput) => (
                      <Typography.Text type="secondary" className="gs-mono">
                        {Object.keys(r.params).length ? JSON.stringify(r.params) : ''}
                      </Typography.Text>
                    ),
                  },
                  {
                    key: 'actions',
                    title: t('common.actions'),
                    render: (_: unknown, r: RuleInput) =>
                      officer ? (
                        <Button size="small" onClick={() => save.mutate(r)}>
                          {t('governance.adopt')}
                        </Button>
                      ) : null,
                  },
                ]}
              />
            </>
          )}
        </>
      )}
    </Space>
  );
}

/** 质量评分: departments ranked, resources with their latest score. */
function Scores() {
  const { t, i18n } = useTranslation();
  const q = useQuery({ queryKey: ['gov-scores'], queryFn: () => api(scoreBoard, '/api/v1/governance/scores') });
  const trend = useQuery({ queryKey: ['gov-trend'], queryFn: () => api(trendAnswer, '/api/v1/governance/trend') });
  const days = [...new Set((trend.data ?? []).map((x) => x.day))];
  const depts = [...new Set((trend.data ?? []).map((x) => x.departmentName))];
  const dims = (m: Record<string, number>) =>
    DIMENSIONS.filter((d) => m[d] !== undefined).map((d) => (
      <Tag key={d}>
        {t(`governance.dimensions.${d}`)} {(m[d]! * 100).toFixed(1)}%
      </Tag>
    ));
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      {days.length > 0 && (
        <Card size="small" title={t('governance.trend')}>
          <Suspense fallback={null}>
            <Chart
              label={`${t('governance.departments')} ${t('governance.trend')}`}
              height={240}
              option={{
                animation: false,
                tooltip: { trigger: 'axis' },
                legend: { top: 0, type: 'scroll' },
                grid: { left: 40, right: 20, top: 36, bottom: 30 },
                xAxis: { type: 'category', data: days },
                yAxis: { type: 'value', max: 100, min: (v: { min: number }) => Math.max(0, Math.floor(v.min - 5)) },
                series: depts.map((d) => ({
                  name: d,
                  type: 'line',
                  connectNulls: true,
                  data: days.map(
                    (day) => trend.data!.find((x) => x.day === day && x.departmentName === d)?.score ?? null,
                  ),
                })),
              }}
            />
          </Suspense>
        </Card>
      )}
      <Typography.Title level={5}>{t('governance.departments')}</Typography.Title>
      <Table
        size="small"
        rowKey="departmentId"
        pagination={false}
        loading={q.isFetching}
        dataSource={q.data?.departments}
        locale={{ emptyText: t('common.empty') }}
        columns={[
          { key: 'rank', title: '#', render: (_: unknown, __: unknown, i: number) => i + 1 },
          { key: 'departmentName', dataIndex: 'departmentName', title: t('governance.department') },
          {
            key: 'score',
            dataIndex: 'score',
            title: t('governance.score'),
            render: (v: number) => <strong>{v.toFixed(2)}</strong>,
          },
          { key: 'resources', dataIndex: 'resources', title: t('governance.resourceCount') },
          { key: 'openProblems', dataIndex: 'openProblems', title: t('governance.openProblems') },
        ]}
      />
      <Typography.Title level={5}>{t('governance.resources')}</Typography.Title>
      <Table
        size="small"
        rowKey="resourceId"
        loading={q.isFetching}
        dataSource={q.data?.resources}
        locale={{ emptyText: t('common.empty') }}
        scroll={{ x: true }}
        columns={[
          { key: 'resourceName', dataIndex: 'resourceName', title: t('governance.resource') },
          { key: 'departmentName', dataIndex: 'departmentName', title: t('governance.department') },
          {
            key: 'score',
            dataIndex: 'score',
            title: t('governance.score'),
            sorter: (a, b) => (a.score ?? 0) - (b.score ?? 0),
            render: (v: number | null) => (v === null ? '—' : <strong>{v.toFixed(2)}</strong>),
          },
          {
            key: 'metrics',
            title: t('governance.dimension'),
            render: (_: unknown, r) => (
              <Space size={4} wrap>
                {dims(r.metrics)}
              </Space>
            ),
          },
          { key: 'rows', dataIndex: 'rows', title: t('governance.rows') },
          { key: 'openProblems', dataIndex: 'openProblems', title: t('governance.openProblems') },
          {
            key: 'startedAt',
            dataIndex: 'startedAt',
            title: t('governance.checkedAt'),
            render: (v: string) => fmtDateTime(v, i18n.language),
          },
        ]}
      />
    </Space>
  );
}

/** 问题数据: open and closed problems; the provider confirms a correct value with a reason. */
function Problems({ officer }: { officer: boolean }) {
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
function Tasks() {
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

/** 一人一档 / 一企一档: administrators and auditors, with a stated purpose (audited). */
function Profile() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const open = useMutation({
    mutationFn: (v: { kind: string; id: string; purpose: string }) =>
      api(profileAnswer, '/api/v1/governance/profiles', { method: 'POST', body: v }),
    onError: (e) => showProblem(form, e, (s) => void message.error(s), ['kind', 'id', 'purpose']),
  });
  const p = open.data;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Form form={form} layout="inline" initialValues={{ kind: 'ric' }} onFinish={(v) => open.mutate(v)}>
        <Form.Item name="kind" label={t('governance.kindLabel')}>
          <Select
            style={{ width: 260 }}
            options={[
              { value: 'ric', label: t('governance.ric') },
              { value: 'uscc', label: t('governance.uscc') },
            ]}
          />
        </Form.Item>
        <Form.Item name="id" label={t('governance.idLabel')} rules={[{ required: true }]}>
          <Input className="gs-mono" style={{ width: 220 }} />
        </Form.Item>
        <Form.Item name="purpose" label={t('governance.purpose')} rules={[{ required: true, min: 4 }]}>
          <Input style={{ width: 280 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={open.isPending}>
          {t('governance.openProfile')}
        </Button>
      </Form>
      {p && !p.valid && <Alert type="warning" showIcon title={t('governance.invalidId', { reason: p.reason })} />}
      {p &&
        (p.conflicts.length ? (
          <Alert
            type="error"
            showIcon
            title={t('governance.conflicts')}
            description={p.conflicts.map((c) => (
              <div key={c.label}>
                <strong>{c.label}</strong>：{c.values.map((v) => `${v.value}（${v.resources.join('、')}）`).join(' ≠ ')}
              </div>
            ))}
          />
        ) : (
          <Alert type="success" showIcon title={t('governance.noConflicts')} />
        ))}
      {p?.sources.map((s, i) => (
        <Card
          key={i}
          size="small"
          title={`${s.resourceName} · ${s.departmentName}`}
          extra={
            <Typography.Text type="secondary">
              {t('governance.matchedBy')}：{s.matchedBy.join('、')}
            </Typography.Text>
          }
        >
          <Descriptions
            size="small"
            column={3}
            items={s.values.map((v) => ({
              key: v.name,
              label: v.label,
              children: <span className="gs-mono">{v.value ?? ''}</span>,
            }))}
          />
        </Card>
      ))}
    </Space>
  );
}

/** 数据治理: scores, rules, problems, rectification tasks, profiles. */
export default function Governance() {
  const { t } = useTranslation();
  const { data: session } = useSession();
  const roles = session!.user.roles;
  const officer = can(roles, 'officer');
  const bureau = roles.includes('admin') || roles.includes('auditor');
  return (
    <>
      <Typography.Title level={3} className="gs-page-title">
        {t('governance.title')}
      </Typography.Title>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'scores', label: t('governance.scores'), children: <Scores /> },
          { key: 'rules', label: t('governance.rules'), children: <Rules officer={officer} /> },
          { key: 'problems', label: t('governance.problems'), children: <Problems officer={officer} /> },
          { key: 'tasks', label: t('governance.tasks'), children: <Tasks /> },
          ...(bureau ? [{ key: 'profile', label: t('governance.profile'), children: <Profile /> }] : []),
        ]}
      />
    </>
  );
}
