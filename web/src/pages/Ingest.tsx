import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Input,
  InputNumber,
  Popconfirm,
  Progress,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
  Upload,
} from 'antd';
import { PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api, csrfToken, withQuery } from '../api/client';
import { pageOf, resourceSummary } from '../api/schemas';
import { can, useSession } from '../auth/session';
import { showProblem } from '../components/forms';
import { useServerTable } from '../components/table';
import { fmtDateTime } from '../i18n';
import SourceMapping from './SourceMapping';
import SourceSettings from './SourceSettings';
import { runPage, runQueued, sourcePage, sourceTest, type RunDto, type SourceDto } from '../api/aggregation';
import { NewSource } from './ingest/NewSource';
import { Rejects } from './ingest/Rejects';

type Run = RunDto;
type Source = SourceDto;
/** 1 分 5 秒 / 1 min 5 s */
function fmtDuration(secs: number, lang: string): string {
  const m = Math.floor(secs / 60);
  const s = secs < 10 ? secs.toFixed(1) : String(Math.round(secs % 60));
  return lang.startsWith('en') ? (m ? `${m} min ${s} s` : `${s} s`) : m ? `${m} 分 ${s} 秒` : `${s} 秒`;
}
const STATE: Record<string, string> = { running: 'processing', succeeded: 'success', failed: 'error' };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const TYPES: Record<string, string> = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  txt: 'text/plain',
  xlsx: XLSX,
  json: 'application/json',
  jsonl: 'application/x-ndjson',
};

/** 数据归集: runs with live progress and their rejects, sources (databases, HTTP APIs) with their mapping, preview and schedule, file uploads. */
export default function Ingest() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { data: session } = useSession();
  const officer = can(session!.user.roles, 'officer');
  const table = useServerTable();
  const [rejectsOf, setRejectsOf] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const [mappingOf, setMappingOf] = useState<Source | null>(null);
  const [settingsOf, setSettingsOf] = useState<Source | null>(null);
  const [upload, setUpload] = useState<{
    resourceId?: string;
    mode: 'full' | 'upsert';
    encoding: string;
    headerRow?: number | null;
    sheet?: number | null;
  }>({ mode: 'upsert', encoding: 'auto' });
  const runs = useQuery({
    queryKey: ['runs', table.query],
    queryFn: () => api(runPage, '/api/v1/ingest/runs', { query: table.query }),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.items.some((r) => r.status === 'running') ? 2000 : false),
  });
  const sourceT = useServerTable('name');
  const [sourceQ, setSourceQ] = useState('');
  const sources = useQuery({
    queryKey: ['sources', sourceT.query, sourceQ],
    queryFn: () => api(sourcePage, '/api/v1/sources', { query: { ...sourceT.query, q: sourceQ || undefined } }),
    placeholderData: keepPreviousData,
  });
  const resources = useQuery({
    queryKey: ['ingest-resources'],
    queryFn: () =>
      api(pageOf(resourceSummary), '/api/v1/catalog/resources', { query: { status: 'published', pageSize: 200 } }),
  });
  const resOptions = (resources.data?.items ?? []).map((r) => ({ value: r.id, label: `${r.code ?? ''} ${r.name}` }));
  const test = useMutation({
    mutationFn: (id: string) => api(sourceTest, `/api/v1/sources/${id}/test`, { method: 'POST' }),
    onSuccess: (r) =>
      r.ok ? void message.success(`${t('ingest.ok')}：${r.columns.join(', ')}`) : void message.error(r.error ?? ''),
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  const runNow = useMutation({
    mutationFn: (id: string) => api(runQueued, `/api/v1/sources/${id}/run`, { method: 'POST' }),
    onSuccess: () => {
      void message.success(t('ingest.queued'));
      void qc.invalidateQueries({ queryKey: ['runs'] });
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(z.undefined(), `/api/v1/sources/${id}`, { method: 'DELETE' }),
    onSuccess: () => {
      void message.success(t('ingest.removed'));
      void qc.invalidateQueries({ queryKey: ['sources'] });
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  const send = async (file: File) => {
    const ext = file.name.split('.').pop()!.toLowerCase();
    const res = await fetch(
      withQuery('/api/v1/ingest/upload', {
        resourceId: upload.resourceId,
        mode: upload.mode,
        fileName: file.name,
        encoding: upload.encoding,
        headerRow: upload.headerRow ?? undefined,
        sheet: upload.sheet ?? undefined,
      }),
      {
        method: 'POST',
        headers: {
          'content-type': TYPES[ext] ?? 'application/octet-stream',
          'x-csrf-token': csrfToken() ?? '',
          'accept-language': i18n.language,
        },
        body: file,
      },
    );
    const body = (await res.json()) as { run?: number; detail?: string };
    if (res.ok) {
      void message.success(t('ingest.started', { run: body.run }));
      void qc.invalidateQueries({ queryKey: ['runs'] });
    } else void message.error(body.detail ?? String(res.status));
    return false;
  };

  return (
    <>
      <Typography.Title level={3} className="gs-page-title">
        {t('ingest.title')}
      </Typography.Title>
      <Tabs
        items={[
          {
            key: 'runs',
            label: t('ingest.runs'),
            children: (
              <Table<Run>
                rowKey="id"
                size="middle"
                loading={runs.isFetching && !runs.data}
                dataSource={runs.data?.items}
                pagination={table.pagination(runs.data?.total, (n) => t('common.total', { total: n }))}
                onChange={table.onChange}
                locale={{ emptyText: t('common.empty') }}
                scroll={{ x: true }}
                columns={[
                  { key: 'id', dataIndex: 'id', title: '#' },
                  { key: 'resourceName', dataIndex: 'resourceName', title: t('ingest.resource') },
                  { key: 'source', dataIndex: 'source', title: t('ingest.source') },
                  {
                    key: 'mode',
                    dataIndex: 'mode',
                    title: t('ingest.mode'),
                    render: (m: string) => t(`ingest.modes.${m}`),
                  },
                  {
                    key: 'status',
                    dataIndex: 'status',
                    title: t('ingest.status'),
                    render: (s: string, r) => (
                      <Tag color={STATE[s]} title={r.error ?? ''}>
                        {t(`ingest.states.${s}`)}
                      </Tag>
                    ),
                  },
                  {
                    key: 'progress',
                    title: t('ingest.progress'),
                    render: (_: unknown, r) => {
                      const secs = Math.max(
                        0.001,
                        ((r.finishedAt ? Date.parse(r.finishedAt) : Date.now()) - Date.parse(r.startedAt)) / 1000,
                      );
                      const rate = t('ingest.rate', { n: Math.round(r.read / secs).toLocaleString(i18n.language) });
                      if (r.status !== 'running')
                        return (
                          <Typography.Text type="secondary">
                            {fmtDuration(secs, i18n.language)} · {rate}
                          </Typography.Text>
                        );
                      return (
                        <Space size={4} direction="vertical">
                          {r.totalBytes ? (
                            <Progress
                              size="small"
                              percent={Math.round((100 * (r.readBytes ?? 0)) / r.totalBytes)}
                              style={{ width: 140 }}
                            />
                          ) : null}
                          <Typography.Text type="secondary">{rate}</Typography.Text>
                        </Space>
                      );
                    },
                  },
                  ...(['read', 'inserted', 'updated', 'unchanged', 'deleted'] as const).map((k) => ({
                    key: k,
                    dataIndex: k,
                    title: t(`ingest.${k}`),
                  })),
                  {
                    key: 'rejected',
                    dataIndex: 'rejected',
                    title: t('ingest.rejected'),
                    render: (n: number, r: Run) =>
                      n > 0 ? (
                        <Button size="small" type="link" onClick={() => setRejectsOf(r.id)}>
                          {n}
                        </Button>
                      ) : (
                        0
                      ),
                  },
                  {
                    key: 'startedAt',
                    dataIndex: 'startedAt',
                    title: t('ingest.startedAt'),
                    render: (v: string) => fmtDateTime(v, i18n.language),
                  },
                ]}
              />
            ),
          },
          {
            key: 'sources',
            label: t('ingest.sources'),
            children: (
              <>
                <div className="gs-toolbar">
                  {officer && (
                    <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                      {t('ingest.newSource')}
                    </Button>
                  )}
                  <Input.Search
                    allowClear
                    style={{ width: 240 }}
                    placeholder={t('ingest.searchSources')}
                    aria-label={t('ingest.searchSources')}
                    onSearch={(v) => {
                      setSourceQ(v.trim());
                      sourceT.resetPage();
                    }}
                  />
                </div>
                <Table
                  size="middle"
                  rowKey="id"
                  dataSource={sources.data?.items}
                  loading={sources.isFetching}
                  locale={{ emptyText: t('common.empty') }}
                  pagination={sourceT.pagination(sources.data?.total, (n) => t('common.total', { total: n }))}
                  onChange={sourceT.onChange}
                  columns={[
                    {
                      key: 'name',
                      dataIndex: 'name',
                      title: t('ingest.name'),
                      sorter: true,
                      defaultSortOrder: 'ascend',
                    },
                    { key: 'kind', dataIndex: 'kind', title: t('ingest.kind'), sorter: true },
                    {
                      key: 'where',
                      title: t('ingest.where'),
                      render: (_: unknown, s: Source) => (
                        <span className="gs-mono">
                          {s.kind === 'http' ? s.url : `${s.host}/${s.database}${s.table ? `.${s.table}` : ''}`}
                        </span>
                      ),
                    },
                    {
                      key: 'mode',
                      dataIndex: 'mode',
                      title: t('ingest.mode'),
                      render: (m: string) => t(`ingest.modes.${m}`),
                    },
                    {
                      key: 'schedule',
                      dataIndex: 'schedule',
                      title: t('ingest.schedule'),
                      render: (v: string | null) => <span className="gs-mono">{v ?? ''}</span>,
                    },
                    {
                      key: 'wm',
                      title: t('ingest.watermark'),
                      render: (_: unknown, s: Source) =>
                        s.watermarkColumn ? (
                          <span className="gs-mono">
                            {s.watermarkColumn}
                            {s.watermark ? ` > ${s.watermark}` : ''}
                          </span>
                        ) : (
                          ''
                        ),
                    },
                    {
                      key: 'actions',
                      title: t('common.actions'),
                      render: (_: unknown, s: Source) => (
                        <Space>
                          <Button size="small" onClick={() => setMappingOf(s)}>
                            {t('ingest.mapping')}
                          </Button>
                          <Button size="small" onClick={() => test.mutate(s.id)}>
                            {t('ingest.test')}
                          </Button>
                          <Button size="small" type="primary" onClick={() => runNow.mutate(s.id)}>
                            {t('ingest.run')}
                          </Button>
                          {officer && (
                            <Button size="small" onClick={() => setSettingsOf(s)}>
                              {t('ingest.settings')}
                            </Button>
                          )}
                          {officer && (
                            <Popconfirm
                              title={t('ingest.removeConfirm', { name: s.name })}
                              onConfirm={() => remove.mutate(s.id)}
                              okText={t('common.confirm')}
                              cancelText={t('common.cancel')}
                            >
                              <Button size="small" danger>
                                {t('ingest.remove')}
                              </Button>
                            </Popconfirm>
                          )}
                        </Space>
                      ),
                    },
                  ]}
                />
              </>
            ),
          },
          ...(officer
            ? [
                {
                  key: 'upload',
                  label: t('ingest.upload'),
                  children: (
                    <Space direction="vertical">
                      <Space wrap>
                        <Select
                          style={{ width: 320 }}
                          placeholder={t('ingest.resource')}
                          options={resOptions}
                          value={upload.resourceId}
                          onChange={(v) => setUpload((u) => ({ ...u, resourceId: v }))}
                          aria-label={t('ingest.resource')}
                        />
                        <Select
                          style={{ width: 180 }}
                          value={upload.mode}
                          onChange={(v) => setUpload((u) => ({ ...u, mode: v }))}
                          options={(['upsert', 'full'] as const).map((m) => ({
                            value: m,
                            label: t(`ingest.modes.${m}`),
                          }))}
                          aria-label={t('ingest.mode')}
                        />
                        <Select
                          style={{ width: 150 }}
                          value={upload.encoding}
                          onChange={(v) => setUpload((u) => ({ ...u, encoding: v }))}
                          aria-label={t('ingest.encoding')}
                          options={[
                            { value: 'auto', label: t('ingest.encodingAuto') },
                            { value: 'utf8', label: 'UTF-8' },
                            { value: 'gbk', label: 'GBK' },
                            { value: 'gb18030', label: 'GB18030' },
                          ]}
                        />
                        <InputNumber
                          min={1}
                          placeholder={t('ingest.headerRow')}
                          value={upload.headerRow}
                          onChange={(v) => setUpload((u) => ({ ...u, headerRow: v }))}
                          aria-label={t('ingest.headerRow')}
                          style={{ width: 120 }}
                        />
                        <InputNumber
                          min={1}
                          placeholder={t('ingest.sheet')}
                          value={upload.sheet}
                          onChange={(v) => setUpload((u) => ({ ...u, sheet: v }))}
                          aria-label={t('ingest.sheet')}
                          style={{ width: 120 }}
                        />
                        <Upload
                          accept=".csv,.tsv,.txt,.xlsx,.json,.jsonl"
                          showUploadList={false}
                          beforeUpload={(f) => send(f)}
                          disabled={!upload.resourceId}
                        >
                          <Button type="primary" icon={<UploadOutlined />} disabled={!upload.resourceId}>
                            {t('ingest.choose')}
                          </Button>
                        </Upload>
                      </Space>
                      <Alert
                        type="info"
                        showIcon
                        title="CSV / TSV (UTF-8, GBK, GB18030) · Excel (.xlsx) · JSON · JSON Lines"
                      />
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Rejects runId={rejectsOf} onClose={() => setRejectsOf(null)} />
      <SourceSettings
        source={settingsOf}
        onClose={() => setSettingsOf(null)}
        onSaved={() => void qc.invalidateQueries({ queryKey: ['sources'] })}
      />
      <SourceMapping
        source={mappingOf}
        editable={officer}
        onClose={() => setMappingOf(null)}
        onSaved={() => void qc.invalidateQueries({ queryKey: ['sources'] })}
      />
      <NewSource open={creating} onClose={() => setCreating(false)} resOptions={resOptions} />
    </>
  );
}
