/**
 * A version of a resource: its metadata as the national standard names it, and the differences
 * between two versions.
 */
import { useState } from 'react';
import { Descriptions, Empty, Select, Space, Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { diffDto, type VersionDto } from '../../api/schemas';
import { fmtDateTime } from '../../i18n';
import { fmtValue, gradeColor } from './labels';

export function Meta({ v, code, department }: { v: VersionDto; code: string | null; department: string }) {
  const { t, i18n } = useTranslation();
  const m = v.meta;
  const sd = m.shandong ?? {};
  return (
    <Descriptions bordered size="small" column={{ xs: 1, md: 2 }}>
      <Descriptions.Item label={t('catalog.name')}>{m.name}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.code')}>
        <span className="gs-mono">{code ?? '—'}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.department')}>{department}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.grade')}>
        <Tag color={gradeColor(v.grade)}>{v.grade}</Tag>
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.summary')} span={2}>
        {m.summary}
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.format')}>
        {t(`catalog.formatClass.${m.formatClass}`)}
        {m.formatDetail ? ` · ${m.formatDetail}` : ''}
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.updateCycle')}>{t(`catalog.cycle.${m.updateCycle}`)}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.shareType')}>{t(`catalog.share.${m.shareType}`)}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.shareMethods')}>
        {m.shareMethods.map((x) => t(`catalog.method.${x}`)).join('、')}
      </Descriptions.Item>
      {m.shareCondition && (
        <Descriptions.Item label={t('catalog.shareCondition')} span={2}>
          {m.shareCondition}
        </Descriptions.Item>
      )}
      {m.shareBasis && (
        <Descriptions.Item label={t('catalog.shareBasis')} span={2}>
          {m.shareBasis}
        </Descriptions.Item>
      )}
      <Descriptions.Item label={t('catalog.openType')}>{t(`catalog.openT.${m.openType}`)}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.publishDate')}>
        {fmtDateTime(v.publishedAt, i18n.language)}
      </Descriptions.Item>
      {m.openCondition && (
        <Descriptions.Item label={t('catalog.openCondition')} span={2}>
          {m.openCondition}
        </Descriptions.Item>
      )}
      {m.relatedCodes.length > 0 && (
        <Descriptions.Item label={t('catalog.relatedCodes')} span={2}>
          {m.relatedCodes.join('、')}
        </Descriptions.Item>
      )}
      {Object.entries(sd)
        .filter(([, x]) => x)
        .map(([k, x]) => (
          <Descriptions.Item key={k} label={t(`catalog.${k}`)}>
            {String(x)}
          </Descriptions.Item>
        ))}
    </Descriptions>
  );
}

export function Diff({ id, versions }: { id: string; versions: VersionDto[] }) {
  const { t } = useTranslation();
  const nums = versions.map((v) => v.version).sort((a, b) => a - b);
  const [from, setFrom] = useState(nums[Math.max(0, nums.length - 2)]);
  const [to, setTo] = useState(nums[nums.length - 1]);
  const d = useQuery({
    queryKey: ['diff', id, from, to],
    queryFn: () => api(diffDto, `/api/v1/catalog/resources/${id}/diff`, { query: { from, to } }),
    enabled: Boolean(from && to),
  });
  if (nums.length < 2) return <Empty description={t('catalog.noChanges')} />;
  const opts = nums.map((n) => ({ value: n, label: `v${n}` }));
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        {t('catalog.from')} <Select value={from} options={opts} onChange={setFrom} aria-label={t('catalog.from')} />
        {t('catalog.to')} <Select value={to} options={opts} onChange={setTo} aria-label={t('catalog.to')} />
      </Space>
      <Table
        size="small"
        rowKey="path"
        loading={d.isFetching}
        pagination={false}
        dataSource={d.data?.changes ?? []}
        locale={{ emptyText: t('catalog.noChanges') }}
        columns={[
          {
            key: 'path',
            dataIndex: 'path',
            title: 'Field',
            render: (v: string) => <span className="gs-mono">{v}</span>,
          },
          {
            key: 'kind',
            dataIndex: 'kind',
            title: '',
            render: (k: string) => <Tag color={k === 'added' ? 'green' : k === 'removed' ? 'red' : 'blue'}>{k}</Tag>,
          },
          {
            key: 'before',
            dataIndex: 'before',
            title: `v${from}`,
            render: (v: unknown) => <span className="gs-mono">{fmtValue(t, v)}</span>,
          },
          {
            key: 'after',
            dataIndex: 'after',
            title: `v${to}`,
            render: (v: unknown) => <span className="gs-mono">{fmtValue(t, v)}</span>,
          },
        ]}
      />
    </>
  );
}
