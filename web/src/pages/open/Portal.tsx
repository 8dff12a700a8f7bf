import { useEffect, useState } from 'react';
import { Button, Card, Input, Layout, Select, Space, Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { openDatasetPage, type OpenDataset } from '../../api/open';
import { fmtDateTime, setLang } from '../../i18n';
import { Dataset } from './Dataset';

/** 公共数据开放: public pages, no login — the open datasets, their rows, downloads, keys and applications. */
export default function Portal() {
  const { t, i18n } = useTranslation();
  const { id } = useParams();
  useEffect(() => {
    document.title = `${t('open.title')} · ${t('app.name')}`;
  }, [t]);
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, background: '#1f5fbf' }}>
        <Link to="/open" style={{ color: '#fff', fontSize: 18, fontWeight: 600 }}>
          {t('app.name')} · {t('open.title')}
        </Link>
        <span style={{ flex: 1 }} />
        <Button
          type="link"
          style={{ color: '#fff' }}
          onClick={() => setLang(i18n.language === 'en-US' ? 'zh-CN' : 'en-US')}
        >
          {t('header.language')}
        </Button>
        <Link to="/login" style={{ color: '#fff' }}>
          {t('open.console')}
        </Link>
      </Layout.Header>
      <Layout.Content style={{ padding: 24, maxWidth: 1200, width: '100%', margin: '0 auto' }}>
        {id ? <Dataset id={id} /> : <Datasets />}
      </Layout.Content>
    </Layout>
  );
}

function Datasets() {
  const { t, i18n } = useTranslation();
  const [q, setQ] = useState('');
  const [openType, setOpenType] = useState<string | undefined>();
  const [p, setP] = useState({ page: 1, pageSize: 20 });
  const list = useQuery({
    queryKey: ['open', 'list', q, openType, p],
    queryFn: () => api(openDatasetPage, '/api/v1/open/resources', { query: { q, openType, ...p } }),
  });
  return (
    <Card
      title={t('open.datasets')}
      extra={
        <Space>
          <Select
            allowClear
            placeholder={t('open.openType')}
            style={{ width: 140 }}
            value={openType}
            onChange={(v) => {
              setOpenType(v);
              setP({ ...p, page: 1 });
            }}
            options={['unconditional', 'conditional'].map((v) => ({ value: v, label: t(`catalog.openT.${v}`) }))}
          />
          <Input.Search
            allowClear
            placeholder={t('open.search')}
            onSearch={(v) => {
              setQ(v);
              setP({ ...p, page: 1 });
            }}
            style={{ width: 260 }}
          />
        </Space>
      }
    >
      <Table
        rowKey="id"
        loading={list.isFetching}
        dataSource={list.data?.items}
        locale={{ emptyText: t('common.empty') }}
        scroll={{ x: true }}
        pagination={{
          current: p.page,
          pageSize: p.pageSize,
          total: list.data?.total ?? 0,
          showSizeChanger: true,
          onChange: (page, pageSize) => setP({ page, pageSize }),
        }}
        columns={[
          {
            key: 'name',
            title: t('open.name'),
            render: (_: unknown, d: OpenDataset) => <Link to={`/open/${d.id}`}>{d.name}</Link>,
          },
          { key: 'dept', dataIndex: 'departmentName', title: t('open.provider') },
          {
            key: 'type',
            dataIndex: 'openType',
            title: t('open.openType'),
            render: (v: string) => (
              <Tag color={v === 'unconditional' ? 'green' : 'gold'}>{t(`catalog.openT.${v}`)}</Tag>
            ),
          },
          { key: 'items', title: t('open.items'), render: (_: unknown, d: OpenDataset) => d.items.length },
          {
            key: 'at',
            dataIndex: 'publishedAt',
            title: t('open.updated'),
            render: (v: string | null) => fmtDateTime(v, i18n.language),
          },
        ]}
      />
    </Card>
  );
}
