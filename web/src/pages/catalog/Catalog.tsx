import { lazy, Suspense, useState } from 'react';
import {
  Card,
  Col,
  Empty,
  Input,
  List,
  Pagination,
  Row,
  Segmented,
  Select,
  Skeleton,
  Space,
  Tag,
  Typography,
  Button,
} from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, withQuery } from '../../api/client';
import { overviewDto, searchResult } from '../../api/schemas';
import { useDepartments } from '../../components/useDepartments';
import { fmtDateTime, fmtNumber } from '../../i18n';
import { Marked } from '../../components/Marked';

const Chart = lazy(() => import('../../components/Chart'));

type Filters = {
  departmentId?: string;
  categoryTop?: string;
  shareType?: string;
  openType?: string;
  grade?: string;
  updateCycle?: string;
};

/** 一本账: search with facets, and the overview of the whole catalog. */
export default function Catalog() {
  const { t, i18n } = useTranslation();
  const [q, setQ] = useState('');
  const [typed, setTyped] = useState('');
  const [sort, setSort] = useState<'relevance' | 'date'>('relevance');
  const [page, setPage] = useState(1);
  const [f, setF] = useState<Filters>({});
  const departments = useDepartments();
  const query = { q, sort, page, pageSize: 10, facets: 'true', ...f };
  const res = useQuery({
    queryKey: ['catalog-search', query],
    queryFn: () => api(searchResult, '/api/v1/catalog/search', { query }),
    placeholderData: keepPreviousData,
  });
  const overview = useQuery({
    queryKey: ['catalog-overview'],
    queryFn: () => api(overviewDto, '/api/v1/catalog/overview'),
  });
  const set = (patch: Filters) => {
    setF((x) => ({ ...x, ...patch }));
    setPage(1);
  };
  const facet = (key: keyof Filters, label: string, name: (v: string) => string) => (
    <Select
      allowClear
      placeholder={label}
      style={{ minWidth: 150 }}
      value={f[key]}
      onChange={(v: string | undefined) => set({ [key]: v })}
      aria-label={label}
      options={(res.data?.facets?.[key] ?? []).map((o) => ({ value: o.value, label: `${name(o.value)} (${o.count})` }))}
    />
  );
  const top = overview.data?.byDepartment.filter((d) => d.resources > 0).slice(0, 15) ?? [];
  const cats = overview.data?.byCategory.filter((c) => c.level === 2 && c.resources > 0) ?? [];

  return (
    <>
      <Typography.Title level={3} className="gs-page-title">
        {t('catalog.title')}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Card>
            <Space direction="vertical" style={{ width: '100%' }}>
              <Input.Search
                size="large"
                allowClear
                enterButton
                placeholder={t('catalog.search')}
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
                onSearch={(v) => {
                  setQ(v);
                  setPage(1);
                }}
                aria-label={t('catalog.search')}
                data-testid="catalog-search"
              />
              <div className="gs-toolbar" style={{ marginBottom: 0 }}>
                {facet('departmentId', t('catalog.facetDepartment'), (v) => departments.nameOf(v))}
                {facet('categoryTop', t('catalog.facetCategory'), (v) => t(`catalog.top.${v}`))}
                {facet('shareType', t('catalog.shareType'), (v) => t(`catalog.share.${v}`))}
                {facet('openType', t('catalog.openType'), (v) => t(`catalog.openT.${v}`))}
                {facet('grade', t('catalog.facetGrade'), (v) => `${v}`)}
                {facet('updateCycle', t('catalog.updateCycle'), (v) => t(`catalog.cycle.${v}`))}
                <Segmented
                  value={sort}
                  onChange={(v) => setSort(v as 'relevance' | 'date')}
                  options={[
                    { value: 'relevance', label: t('catalog.sortRelevance') },
                    { value: 'date', label: t('catalog.sortDate') },
                  ]}
                />
              </div>
              {res.data?.suggestion && (
                <Typography.Text data-testid="catalog-suggestion">
                  {t('catalog.noExactMatch', { q })}
                  <Typography.Link
                    onClick={() => {
                      setTyped(res.data!.suggestion!);
                      setQ(res.data!.suggestion!);
                      setPage(1);
                    }}
                  >
                    {res.data.suggestion}
                  </Typography.Link>
                </Typography.Text>
              )}
              <Typography.Text type="secondary" data-testid="catalog-total">
                {res.data ? t('common.total', { total: fmtNumber(res.data.total, i18n.language) }) : ''}
              </Typography.Text>
              <List
                loading={res.isFetching}
                dataSource={res.data?.items ?? []}
                locale={{ emptyText: <Empty description={t('catalog.empty')} /> }}
                renderItem={(r) => (
                  <List.Item key={r.id}>
                    <List.Item.Meta
                      title={
                        <Link to={`/catalog/${r.id}`}>
                          <Marked text={r.name} ranges={r.highlight.name} />
                        </Link>
                      }
                      description={
                        <Space direction="vertical" size={2}>
                          <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 0 }}>
                            <Marked text={r.summary} ranges={r.highlight.summary} />
                          </Typography.Paragraph>
                          <Space wrap size={4}>
                            <Tag>{r.code}</Tag>
                            <Tag color="blue">{r.departmentName}</Tag>
                            <Tag
                              color={
                                r.shareType === 'unconditional'
                                  ? 'green'
                                  : r.shareType === 'conditional'
                                    ? 'orange'
                                    : 'red'
                              }
                            >
                              {t(`catalog.share.${r.shareType}`)}
                            </Tag>
                            <Tag>{t(`catalog.openT.${r.openType}`)}</Tag>
                            <Tag>
                              {t('catalog.grade')} {r.grade}
                            </Tag>
                            <Tag>{t(`catalog.cycle.${r.updateCycle}`)}</Tag>
                            <Typography.Text type="secondary">
                              {fmtDateTime(r.publishedAt, i18n.language)}
                            </Typography.Text>
                          </Space>
                        </Space>
                      }
                    />
                  </List.Item>
                )}
              />
              <Pagination
                current={page}
                pageSize={10}
                total={res.data?.total ?? 0}
                onChange={setPage}
                showSizeChanger={false}
              />
            </Space>
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card
            title={t('catalog.overview')}
            extra={
              <Button size="small" icon={<DownloadOutlined />} href={withQuery('/api/v1/catalog/overview.xlsx')}>
                Excel
              </Button>
            }
          >
            {overview.data ? (
              <>
                <Space size="large">
                  <Typography.Text>
                    {t('catalog.resources')}：
                    <b data-testid="overview-resources">{fmtNumber(overview.data.totals.resources, i18n.language)}</b>
                  </Typography.Text>
                  <Typography.Text>
                    {t('catalog.items')}：<b>{fmtNumber(overview.data.totals.items, i18n.language)}</b>
                  </Typography.Text>
                </Space>
                <Suspense fallback={<Skeleton active />}>
                  <Typography.Title level={5}>{t('catalog.byDepartment')}</Typography.Title>
                  <Chart
                    label={t('catalog.byDepartment')}
                    height={Math.max(200, top.length * 24)}
                    option={{
                      tooltip: {},
                      grid: { left: 140, right: 20, top: 10, bottom: 20 },
                      xAxis: { type: 'value', minInterval: 1 },
                      yAxis: { type: 'category', inverse: true, data: top.map((d) => d.name.replace(/^淄博市/, '')) },
                      series: [{ type: 'bar', data: top.map((d) => d.resources), name: t('catalog.resources') }],
                    }}
                  />
                  <Typography.Title level={5}>{t('catalog.byCategory')}</Typography.Title>
                  <Chart
                    label={t('catalog.byCategory')}
                    height={Math.max(200, cats.length * 22)}
                    option={{
                      tooltip: {},
                      grid: { left: 130, right: 20, top: 10, bottom: 20 },
                      xAxis: { type: 'value', minInterval: 1 },
                      yAxis: { type: 'category', inverse: true, data: cats.map((c) => `${c.fullCode} ${c.name}`) },
                      series: [
                        {
                          type: 'bar',
                          data: cats.map((c) => c.resources),
                          name: t('catalog.resources'),
                          itemStyle: { color: '#2f9e6b' },
                        },
                      ],
                    }}
                  />
                </Suspense>
              </>
            ) : (
              <Skeleton active />
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
