import { useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Layout,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ApiError, api, withQuery } from '../../api/client';
import {
  openApplicationCreated,
  openApplicationList,
  openDataset,
  openDatasetPage,
  openKeyCreated,
  openRowsAnswer,
  publicObjectionCreated,
  publicObjectionList,
  publicResponded,
  type OpenDataset,
} from '../../api/open';
import { fmtDateTime, setLang } from '../../i18n';

const KEY = 'gs_open_key';

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

function Dataset({ id }: { id: string }) {
  const { t } = useTranslation();
  const [key, setKey] = useState(() => localStorage.getItem(KEY) ?? '');
  const headers: Record<string, string> = key ? { 'x-gs-open-key': key } : {};
  const d = useQuery({
    queryKey: ['open', 'one', id],
    queryFn: () => api(openDataset, `/api/v1/open/resources/${id}`),
  });
  const [q, setQ] = useState('');
  const [p, setP] = useState({ page: 1, pageSize: 20 });
  const [reporting, setReporting] = useState<Record<string, string | null> | null>(null);
  const r = useQuery({
    queryKey: ['open', 'rows', id, q, p, key],
    queryFn: () =>
      api(openRowsAnswer, `/api/v1/open/resources/${id}/rows`, {
        query: { q, limit: p.pageSize, offset: (p.page - 1) * p.pageSize },
        headers,
      }),
    enabled: !!d.data,
    retry: false,
  });
  if (d.error) return <Alert type="error" showIcon message={(d.error as Error).message} />;
  if (!d.data) return <Card loading />;
  const ds = d.data;
  const locked = r.error instanceof ApiError && r.error.code.startsWith('OPEN_');
  const download = async (format: string) => {
    const res = await fetch(withQuery(`/api/v1/open/resources/${id}/download`, { format }), { headers });
    if (!res.ok) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(await res.blob());
    a.download = `${ds.code}.${format}`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={
          <Space>
            {ds.name}
            <Tag color={ds.openType === 'unconditional' ? 'green' : 'gold'}>{t(`catalog.openT.${ds.openType}`)}</Tag>
          </Space>
        }
        extra={<Link to="/open">{t('open.back')}</Link>}
      >
        <Descriptions
          column={{ xs: 1, md: 2 }}
          size="small"
          items={[
            { key: 'dept', label: t('open.provider'), children: ds.departmentName },
            { key: 'code', label: t('open.code'), children: ds.code },
            { key: 'cycle', label: t('open.cycle'), children: t(`catalog.cycle.${ds.updateCycle}`) },
            ...(ds.openCondition ? [{ key: 'cond', label: t('open.condition'), children: ds.openCondition }] : []),
            { key: 'summary', label: t('open.summary'), children: ds.summary, span: 2 },
            {
              key: 'items',
              label: t('open.items'),
              span: 2,
              children: (
                <Space wrap>
                  {ds.items.map((i) => (
                    <Tag key={i.name}>
                      {i.label}（{i.name}）
                    </Tag>
                  ))}
                  {ds.itemsWithheld > 0 && (
                    <Typography.Text type="secondary">{t('open.withheld', { n: ds.itemsWithheld })}</Typography.Text>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {ds.openType === 'conditional' && (
        <KeyCard
          id={id}
          value={key}
          onChange={(k) => {
            setKey(k);
            localStorage.setItem(KEY, k);
          }}
        />
      )}
      <Card
        title={t('open.data')}
        extra={
          !locked && (
            <Space>
              <Input.Search
                allowClear
                placeholder={t('open.searchRows')}
                onSearch={(v) => {
                  setQ(v);
                  setP({ ...p, page: 1 });
                }}
                style={{ width: 220 }}
              />
              {(['csv', 'xlsx', 'json'] as const).map((f) => (
                <Button key={f} icon={<DownloadOutlined />} onClick={() => void download(f)}>
                  {f.toUpperCase()}
                </Button>
              ))}
            </Space>
          )
        }
      >
        {locked ? (
          <Alert type="info" showIcon message={(r.error as Error).message} />
        ) : (
          <Table
            rowKey={(_, n) => String(n)}
            size="small"
            loading={r.isFetching}
            dataSource={r.data?.records}
            scroll={{ x: true }}
            locale={{ emptyText: t('common.empty') }}
            pagination={{
              current: p.page,
              pageSize: p.pageSize,
              total: r.data?.total ?? 0,
              onChange: (page, pageSize) => setP({ page, pageSize }),
            }}
            columns={[
              ...ds.items.map((i) => ({ key: i.name, dataIndex: i.name, title: i.label })),
              ...(ds.items.some((i) => i.primaryKey)
                ? [
                    {
                      key: '_report',
                      title: '',
                      render: (_: unknown, rec: Record<string, string | null>, n: number) => (
                        <Space size={4}>
                          {r.data?.flags.some((f) => f.row === n || f.row === null) && (
                            <Tag color="warning">{t('open.underObjection')}</Tag>
                          )}
                          <Button size="small" type="link" onClick={() => setReporting(rec)} data-testid="open-report">
                            {t('open.report')}
                          </Button>
                        </Space>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
        {reporting && (
          <Report
            ds={ds}
            record={reporting}
            openKey={key}
            onKey={(k) => {
              setKey(k);
              localStorage.setItem(KEY, k);
            }}
            onClose={() => setReporting(null)}
          />
        )}
        {key && <MyReports id={id} openKey={key} />}
        <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
          {t('open.apiHint')}{' '}
          <Typography.Text
            code
            copyable
          >{`GET /api/3/action/datastore_search?resource_id=${id}&q=&limit=100`}</Typography.Text>
        </Typography.Paragraph>
      </Card>
    </Space>
  );
}

function KeyCard({ id, value, onChange }: { id: string; value: string; onChange: (k: string) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [shownKey, setShownKey] = useState<string | null>(null);
  const headers: Record<string, string> = value ? { 'x-gs-open-key': value } : {};
  const apps = useQuery({
    queryKey: ['open', 'apps', value],
    queryFn: () => api(openApplicationList, '/api/v1/open/applications', { headers }),
    enabled: !!value,
    retry: false,
  });
  const register = useMutation({
    mutationFn: (v: object) => api(openKeyCreated, '/api/v1/open/keys', { method: 'POST', body: v }),
    onSuccess: (r) => {
      setShownKey(r.key);
      onChange(r.key);
    },
  });
  const apply = useMutation({
    mutationFn: (v: object) =>
      api(openApplicationCreated, '/api/v1/open/applications', {
        method: 'POST',
        body: { resourceId: id, ...v },
        headers,
      }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['open'] }),
  });
  const mine = apps.data?.items.filter((a) => a.resourceId === id) ?? [];
  return (
    <Card title={t('open.keyTitle')}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Input.Password
          placeholder="gsk_…"
          value={value}
          onChange={(e) => onChange(e.target.value.trim())}
          style={{ maxWidth: 480 }}
        />
        {shownKey && (
          <Alert
            type="success"
            showIcon
            message={t('open.keyOnce')}
            description={
              <Typography.Text code copyable>
                {shownKey}
              </Typography.Text>
            }
          />
        )}
        {!value && (
          <Form layout="inline" onFinish={(v) => register.mutate(v)}>
            <Form.Item name="name" rules={[{ required: true }]}>
              <Input placeholder={t('open.applicantName')} />
            </Form.Item>
            <Form.Item name="organization">
              <Input placeholder={t('open.organization')} />
            </Form.Item>
            <Form.Item name="email" rules={[{ required: true, type: 'email' }]}>
              <Input placeholder={t('open.email')} />
            </Form.Item>
            <Form.Item name="purpose" rules={[{ required: true, min: 4 }]}>
              <Input placeholder={t('open.purpose')} />
            </Form.Item>
            <Button htmlType="submit" type="primary" loading={register.isPending}>
              {t('open.register')}
            </Button>
          </Form>
        )}
        {register.error && <Alert type="error" showIcon message={(register.error as Error).message} />}
        {value && mine.length === 0 && (
          <Form layout="inline" onFinish={(v) => apply.mutate(v)}>
            <Form.Item name="purpose" rules={[{ required: true, min: 4 }]}>
              <Input placeholder={t('open.purpose')} />
            </Form.Item>
            <Form.Item name="scenario" rules={[{ required: true, min: 4 }]}>
              <Input placeholder={t('open.scenario')} />
            </Form.Item>
            <Button htmlType="submit" type="primary" loading={apply.isPending}>
              {t('open.apply')}
            </Button>
          </Form>
        )}
        {apply.error && <Alert type="error" showIcon message={(apply.error as Error).message} />}
        {mine.map((a) => (
          <Alert
            key={a.id}
            type={a.status === 'approved' ? 'success' : a.status === 'rejected' ? 'error' : 'info'}
            showIcon
            message={`${t(`open.states.${a.status}`)}${a.status === 'submitted' ? ` · ${t('open.dueBy', { due: a.due })}` : ''}${a.reason ? ` · ${a.reason}` : ''}`}
          />
        ))}
      </Space>
    </Card>
  );
}

/** 纠错: the record's key identifies it; the item, the right value and what is wrong; a registered key (made here when missing). */
function Report({
  ds,
  record,
  openKey,
  onKey,
  onClose,
}: {
  ds: OpenDataset;
  record: Record<string, string | null>;
  openKey: string;
  onKey: (k: string) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [done, setDone] = useState(false);
  const register = useMutation({
    mutationFn: (v: object) => api(openKeyCreated, '/api/v1/open/keys', { method: 'POST', body: v }),
    onSuccess: (r) => onKey(r.key),
  });
  const send = useMutation({
    mutationFn: (v: { field?: string; proposedValue?: string; description: string }) =>
      api(publicObjectionCreated, '/api/v1/open/objections', {
        method: 'POST',
        headers: { 'x-gs-open-key': openKey },
        body: {
          resourceId: ds.id,
          recordKey: Object.fromEntries(
            ds.items.filter((i) => i.primaryKey).map((i) => [i.name, record[i.name] ?? '']),
          ),
          ...v,
        },
      }),
    onSuccess: () => {
      setDone(true);
      void qc.invalidateQueries({ queryKey: ['open', 'reports'] });
    },
  });
  const keyItems = ds.items.filter((i) => i.primaryKey);
  return (
    <Modal open title={t('open.reportTitle')} footer={null} onCancel={onClose} destroyOnHidden>
      <Typography.Paragraph>
        {keyItems.map((i) => `${i.label}：${record[i.name] ?? ''}`).join('；')}
      </Typography.Paragraph>
      {done ? (
        <Alert type="success" showIcon message={t('open.reported')} />
      ) : !openKey ? (
        <Form layout="vertical" onFinish={(v) => register.mutate(v)}>
          <Alert type="info" showIcon message={t('open.needKey')} style={{ marginBottom: 12 }} />
          <Form.Item name="name" label={t('open.applicantName')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="email" label={t('open.email')} rules={[{ required: true, type: 'email' }]}>
            <Input />
          </Form.Item>
          <Form.Item name="purpose" label={t('open.purpose')} rules={[{ required: true, min: 4 }]}>
            <Input />
          </Form.Item>
          <Button htmlType="submit" type="primary" loading={register.isPending}>
            {t('open.register')}
          </Button>
          {register.error && (
            <Alert type="error" showIcon message={(register.error as Error).message} style={{ marginTop: 8 }} />
          )}
        </Form>
      ) : (
        <Form layout="vertical" onFinish={(v) => send.mutate(v)}>
          <Form.Item name="field" label={t('open.reportField')}>
            <Select
              allowClear
              options={ds.items
                .filter((i) => !i.primaryKey)
                .map((i) => ({ value: i.name, label: `${i.label}：${record[i.name] ?? ''}` }))}
            />
          </Form.Item>
          <Form.Item name="proposedValue" label={t('open.reportValue')}>
            <Input />
          </Form.Item>
          <Form.Item name="description" label={t('open.reportWhat')} rules={[{ required: true, min: 4 }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
          <Button htmlType="submit" type="primary" loading={send.isPending}>
            {t('open.reportSend')}
          </Button>
          {send.error && (
            <Alert type="error" showIcon message={(send.error as Error).message} style={{ marginTop: 8 }} />
          )}
        </Form>
      )}
    </Modal>
  );
}

/** The key's reports on this dataset, their outcome, and the one answer the reporter gives. */
function MyReports({ id, openKey }: { id: string; openKey: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const headers = { 'x-gs-open-key': openKey };
  const list = useQuery({
    queryKey: ['open', 'reports', openKey],
    queryFn: () => api(publicObjectionList, '/api/v1/open/objections', { headers }),
    retry: false,
  });
  const respond = useMutation({
    mutationFn: ({ oid, decision }: { oid: number; decision: 'accept' | 'contest' }) =>
      api(publicResponded, `/api/v1/open/objections/${oid}/respond`, {
        method: 'POST',
        headers,
        body: { decision, ...(decision === 'contest' && { comment: t('open.contestComment') }) },
      }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['open'] }),
  });
  const mine = list.data?.items.filter((o) => o.resourceId === id) ?? [];
  if (!mine.length) return null;
  return (
    <Card size="small" title={t('open.myReports')} style={{ marginTop: 12 }}>
      {mine.map((o) => (
        <Space key={o.id} wrap style={{ display: 'flex', marginBottom: 8 }}>
          <span>
            #{o.id} {Object.values(o.recordKey).join(' / ')}
            {o.field ? ` · ${o.field}` : ''}
            {o.proposedValue ? ` → ${o.proposedValue}` : ''}
          </span>
          <Tag>{t(`objection.states.${o.status}`)}</Tag>
          {o.reason && <Typography.Text type="secondary">{o.reason}</Typography.Text>}
          {['corrected', 'rejected', 'not_accepted'].includes(o.status) && (
            <>
              <Button size="small" onClick={() => respond.mutate({ oid: o.id, decision: 'accept' })}>
                {t('objection.confirm')}
              </Button>
              {!o.contested && (
                <Button size="small" onClick={() => respond.mutate({ oid: o.id, decision: 'contest' })}>
                  {t('objection.contest')}
                </Button>
              )}
            </>
          )}
        </Space>
      ))}
    </Card>
  );
}
