import { useEffect, useState } from 'react';
import { Alert, App, Button, Checkbox, Drawer, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api } from '../api/client';
import { showProblem } from '../components/forms';
import { previewAnswer } from '../api/aggregation';

type Preview = z.infer<typeof previewAnswer>;
type Reason = Preview['rows'][number]['errors'][string];

export interface MappedSource {
  id: string;
  name: string;
  mapping: Record<string, string>;
  codeMaps: Record<string, Record<string, string>>;
  halfWidth: string[];
  schedule: string | null;
}

/** "男=1, 女=2" ⇄ { 男: '1', 女: '2' } */
const parseCodeMap = (s: string): Record<string, string> =>
  Object.fromEntries(
    s
      .split(/[,，;；\n]/)
      .map((p) => p.split(/[=＝]/).map((x) => x.trim()))
      .filter((p) => p.length === 2 && p[0] !== '') as [string, string][],
  );
const showCodeMap = (m: Record<string, string> | undefined) =>
  Object.entries(m ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/** 映射与预览: source columns for each data item, cleaning, schedule — and the first rows as they will be stored. */
export default function SourceMapping({
  source,
  editable,
  onClose,
  onSaved,
}: {
  source: MappedSource | null;
  editable: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [codeMaps, setCodeMaps] = useState<Record<string, string>>({});
  const [halfWidth, setHalfWidth] = useState<string[]>([]);
  const [schedule, setSchedule] = useState('');
  const [data, setData] = useState<Preview | null>(null);
  const edits = () => ({
    mapping,
    codeMaps: Object.fromEntries(
      Object.entries(codeMaps)
        .map(([k, v]) => [k, parseCodeMap(v)])
        .filter(([, v]) => Object.keys(v as object).length),
    ),
    halfWidth,
  });
  const load = useMutation({
    mutationFn: (body: object) => api(previewAnswer, `/api/v1/sources/${source!.id}/preview`, { method: 'POST', body }),
    onSuccess: (p) => {
      setData(p);
      // the columns in use (saved or suggested) become the editable mapping
      setMapping((m) => ({
        ...Object.fromEntries(p.items.filter((i) => i.column).map((i) => [i.name, i.column!])),
        ...m,
      }));
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  const save = useMutation({
    mutationFn: () =>
      api(z.undefined(), `/api/v1/sources/${source!.id}`, {
        method: 'PATCH',
        body: { ...edits(), schedule: schedule.trim() || null },
      }),
    onSuccess: () => {
      void message.success(t('ingest.saved'));
      onSaved();
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  useEffect(() => {
    if (!source) return;
    setMapping(source.mapping);
    setCodeMaps(Object.fromEntries(Object.entries(source.codeMaps).map(([k, v]) => [k, showCodeMap(v)])));
    setHalfWidth(source.halfWidth);
    setSchedule(source.schedule ?? '');
    setData(null);
    load.mutate({});
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source?.id]);
  const why = (r: Reason) => (i18n.language.startsWith('en') ? r.en : r.zh);
  const items = data?.items ?? [];
  return (
    <Drawer
      open={source !== null}
      onClose={onClose}
      width="min(1200px, 96vw)"
      title={`${t('ingest.mapping')} · ${source?.name ?? ''}`}
      extra={
        <Space>
          <Button onClick={() => load.mutate(edits())} loading={load.isPending}>
            {t('ingest.preview')}
          </Button>
          {editable && (
            <Button type="primary" onClick={() => save.mutate()} loading={save.isPending}>
              {t('ingest.save')}
            </Button>
          )}
        </Space>
      }
    >
      {data?.error && (
        <Alert
          type="error"
          showIcon
          title={t('ingest.previewError')}
          description={data.error}
          style={{ marginBottom: 12 }}
        />
      )}
      {data && data.missingKeys.length > 0 && (
        <Alert
          type="warning"
          showIcon
          title={t('ingest.missingKeys', { keys: data.missingKeys.join(', ') })}
          style={{ marginBottom: 12 }}
        />
      )}
      <Table
        size="small"
        rowKey="name"
        pagination={false}
        loading={load.isPending && !data}
        dataSource={items}
        columns={[
          {
            key: 'item',
            title: t('ingest.item'),
            render: (_: unknown, i: Preview['items'][number]) => (
              <span>
                {i.label} <span className="gs-mono">{i.name}</span> {i.primaryKey && <Tag color="gold">PK</Tag>}
              </span>
            ),
          },
          { key: 'type', dataIndex: 'type', title: t('ingest.itemType') },
          {
            key: 'column',
            title: t('ingest.column'),
            render: (_: unknown, i: Preview['items'][number]) => (
              <Space direction="vertical" size={0}>
                <Select
                  style={{ width: 200 }}
                  allowClear
                  disabled={!editable}
                  placeholder={t('ingest.unmapped')}
                  aria-label={`${t('ingest.column')} ${i.name}`}
                  value={mapping[i.name]}
                  options={(data?.columns ?? []).map((c) => ({ value: c, label: c }))}
                  onChange={(v?: string) =>
                    setMapping((m) => {
                      const n = { ...m };
                      if (v) n[i.name] = v;
                      else delete n[i.name];
                      return n;
                    })
                  }
                />
                {i.suggested && i.suggested !== mapping[i.name] && (
                  <Typography.Text type="secondary">{t('ingest.suggested', { column: i.suggested })}</Typography.Text>
                )}
              </Space>
            ),
          },
          {
            key: 'codeMap',
            title: t('ingest.codeMap'),
            render: (_: unknown, i: Preview['items'][number]) => (
              <Input
                style={{ width: 200 }}
                disabled={!editable}
                placeholder={t('ingest.codeMapHint')}
                aria-label={`${t('ingest.codeMap')} ${i.name}`}
                value={codeMaps[i.name] ?? ''}
                onChange={(e) => setCodeMaps((m) => ({ ...m, [i.name]: e.target.value }))}
              />
            ),
          },
          {
            key: 'hw',
            title: t('ingest.halfWidth'),
            render: (_: unknown, i: Preview['items'][number]) =>
              i.type === 'string' ? (
                <Checkbox
                  disabled={!editable}
                  checked={halfWidth.includes(i.name)}
                  onChange={(e) =>
                    setHalfWidth((h) => (e.target.checked ? [...h, i.name] : h.filter((x) => x !== i.name)))
                  }
                />
              ) : null,
          },
        ]}
      />
      <Space style={{ margin: '16px 0' }}>
        <span>{t('ingest.schedule')}</span>
        <Input
          className="gs-mono"
          style={{ width: 160 }}
          disabled={!editable}
          value={schedule}
          placeholder="30 2 * * *"
          onChange={(e) => setSchedule(e.target.value)}
          aria-label={t('ingest.schedule')}
        />
      </Space>
      <Typography.Title level={5}>{t('ingest.previewTitle')}</Typography.Title>
      <Table
        size="small"
        rowKey="row"
        pagination={false}
        scroll={{ x: true }}
        dataSource={data?.rows ?? []}
        loading={load.isPending}
        columns={[
          { key: 'row', dataIndex: 'row', title: t('ingest.row'), fixed: 'left' as const },
          ...items.map((i) => ({
            key: i.name,
            title: i.label,
            render: (_: unknown, r: Preview['rows'][number]) =>
              r.errors[i.name] ? (
                <Tooltip title={why(r.errors[i.name]!)}>
                  <Tag color="error">{why(r.errors[i.name]!)}</Tag>
                </Tooltip>
              ) : r.values[i.name] === null || r.values[i.name] === undefined ? (
                <Typography.Text type="secondary">NULL</Typography.Text>
              ) : (
                <span className="gs-mono">{r.values[i.name]}</span>
              ),
          })),
        ]}
      />
    </Drawer>
  );
}
