import { lazy, Suspense } from 'react';
import { Alert, App, Button, Card, Descriptions, Form, Input, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { profileAnswer, scoreBoard, trendAnswer } from '../api/governance';
import { can, useSession } from '../auth/session';
import { showProblem } from '../components/forms';
import { fmtDateTime } from '../i18n';
import { DIMENSIONS, Rules } from './governance/Rules';
import { Problems, Tasks } from './governance/Problems';

const Chart = lazy(() => import('../components/Chart'));

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
