/**
 * 质量规则: a resource's rules and suggestions, a check on demand, and its score trend.
 */
import { lazy, Suspense, useState } from 'react';
import { App, Button, Card, Popconfirm, Select, Space, Switch, Table, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api } from '../../api/client';
import {
  adoptAnswer,
  checkDto,
  checkResult,
  ruleDto,
  rulesAnswer,
  type RuleDto,
  type RuleInput,
} from '../../api/governance';
import { pageOf, resourceSummary } from '../../api/schemas';
import { showProblem } from '../../components/forms';
import { fmtDateTime } from '../../i18n';

const Chart = lazy(() => import('../../components/Chart'));
export const DIMENSIONS = ['completeness', 'validity', 'uniqueness', 'consistency', 'timeliness'];

/** 质量规则: a resource's rules and suggestions, a check on demand, and its score trend. */
export function Rules({ officer }: { officer: boolean }) {
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
