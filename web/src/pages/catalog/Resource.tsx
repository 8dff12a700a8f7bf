import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Result,
  Space,
  Spin,
  Table,
  Tabs,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api, ApiError } from '../../api/client';
import { eventDto, resourceDto, versionDto, type VersionDto } from '../../api/schemas';
import { can, useSession } from '../../auth/session';
import Apply from '../share/Apply';
import { showProblem } from '../../components/forms';
import { fmtDateTime } from '../../i18n';
import Items from './Items';
import { STATE_COLOR } from './labels';
import { Diff, Meta } from './Version';

export default function Resource() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { data: session } = useSession();
  const roles = session!.user.roles;
  const [decision, setDecision] = useState<'approve' | 'return' | 'retire' | null>(null);
  const [applying, setApplying] = useState(false);
  const [form] = Form.useForm<{ comment: string }>();
  const r = useQuery({
    queryKey: ['resource', id],
    queryFn: () => api(resourceDto, `/api/v1/catalog/resources/${id}`),
  });
  const versions = useQuery({
    queryKey: ['resource', id, 'versions'],
    queryFn: () => api(z.array(versionDto), `/api/v1/catalog/resources/${id}/versions`),
    enabled: r.isSuccess,
  });
  const editor = r.data && can(roles, 'officer') && session!.user.departmentId === r.data.departmentId;
  const insider =
    r.data && (editor || can(roles, 'admin', 'auditor') || session!.user.departmentId === r.data.departmentId);
  const history = useQuery({
    queryKey: ['resource', id, 'history'],
    queryFn: () => api(z.array(eventDto), `/api/v1/catalog/resources/${id}/history`),
    enabled: Boolean(insider),
  });
  const done = () => qc.invalidateQueries({ queryKey: ['resource', id] });
  const act = useMutation({
    mutationFn: (a: { path: string; body?: unknown }) =>
      api(resourceDto, `/api/v1/catalog/resources/${id}/${a.path}`, { method: 'POST', body: a.body }),
    onSuccess: () => {
      setDecision(null);
      form.resetFields();
      void done();
      void qc.invalidateQueries({ queryKey: ['catalog-search'] });
    },
    onError: (e) => showProblem(form, e, (s) => void message.error(s), ['comment', 'reason']),
  });

  if (r.isLoading)
    return (
      <div className="gs-center">
        <Spin />
      </div>
    );
  if (r.error)
    return (
      <Result
        status={r.error instanceof ApiError && r.error.status === 404 ? '404' : 'error'}
        title={(r.error as Error).message}
        extra={
          <Link to="/catalog">
            <Button>{t('catalog.title')}</Button>
          </Link>
        }
      />
    );
  const res = r.data!;
  const open = res.open;
  const shown = open ?? res.published!;
  return (
    <>
      <Space align="center" wrap style={{ marginBottom: 12 }}>
        <Typography.Title level={3} className="gs-page-title" style={{ marginBottom: 0 }}>
          {shown.meta.name}
        </Typography.Title>
        <Tag color={STATE_COLOR[res.status]}>{t(`catalog.rstatus.${res.status}`)}</Tag>
        {open && (
          <Tag color={STATE_COLOR[open.state]} data-testid="open-state">
            v{open.version} · {t(`catalog.vstate.${open.state}`)}
          </Tag>
        )}
      </Space>
      <div className="gs-toolbar">
        {editor && open && ['draft', 'returned'].includes(open.state) && (
          <Button type="primary" onClick={() => navigate(`/catalog/${id}/edit`)}>
            {t('catalog.edit')}
          </Button>
        )}
        {editor && open && ['draft', 'returned'].includes(open.state) && (
          <Button onClick={() => act.mutate({ path: 'submit' })} loading={act.isPending} data-testid="resource-submit">
            {t('catalog.submit')}
          </Button>
        )}
        {editor && open?.state === 'submitted' && (
          <Button onClick={() => act.mutate({ path: 'withdraw' })}>{t('catalog.withdraw')}</Button>
        )}
        {editor && res.status === 'published' && !open && (
          <Button onClick={() => act.mutate({ path: 'change' })}>{t('catalog.change')}</Button>
        )}
        {can(roles, 'admin') && open?.state === 'submitted' && (
          <>
            <Button type="primary" onClick={() => setDecision('approve')} data-testid="resource-approve">
              {t('catalog.approve')}
            </Button>
            <Button danger onClick={() => setDecision('return')}>
              {t('catalog.return')}
            </Button>
          </>
        )}
        {(editor || can(roles, 'admin')) && res.status !== 'retired' && (
          <Button danger type="text" onClick={() => setDecision('retire')}>
            {t('catalog.retire')}
          </Button>
        )}
        {res.status === 'published' &&
          res.published &&
          can(roles, 'consumer', 'officer') &&
          session!.user.departmentId !== res.departmentId && (
            <Button type="primary" onClick={() => setApplying(true)} data-testid="share-apply">
              {t('share.apply')}
            </Button>
          )}
        {res.status === 'published' && can(roles, 'consumer', 'officer', 'admin') && (
          <Button onClick={() => navigate(`/objections?new=${res.id}`)} data-testid="objection-raise">
            {t('objection.raise')}
          </Button>
        )}
      </div>
      {res.published && (
        <Apply
          open={applying}
          resourceId={res.id}
          items={res.published.items}
          shareType={res.published.meta.shareType}
          onClose={() => setApplying(false)}
          onDone={() => {
            setApplying(false);
            navigate('/share');
          }}
        />
      )}
      {open?.state === 'returned' && open.reviewComment && (
        <Alert
          type="warning"
          showIcon
          title={`${t('catalog.comment')}：${open.reviewComment}`}
          style={{ marginBottom: 12 }}
        />
      )}
      <Tabs
        items={[
          {
            key: 'meta',
            label: open && res.published ? t('catalog.open') : t('catalog.published'),
            children: (
              <Space direction="vertical" style={{ width: '100%' }}>
                <Meta v={shown} code={res.code} department={res.departmentName} />
                <Card size="small" title={`${t('catalog.items')}（${shown.items.length}）`}>
                  <Items items={shown.items} />
                </Card>
                {res.datasetTable && (
                  <Typography.Text type="secondary">
                    {t('catalog.datasetTable')}：<span className="gs-mono">{res.datasetTable}</span>
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          ...(open && res.published
            ? [
                {
                  key: 'pub',
                  label: t('catalog.published'),
                  children: (
                    <Space direction="vertical" style={{ width: '100%' }}>
                      <Meta v={res.published} code={res.code} department={res.departmentName} />
                      <Items items={res.published.items} />
                    </Space>
                  ),
                },
              ]
            : []),
          {
            key: 'versions',
            label: t('catalog.versions'),
            children: (
              <Space direction="vertical" style={{ width: '100%' }}>
                <Table
                  size="small"
                  rowKey="version"
                  pagination={false}
                  dataSource={versions.data ?? []}
                  columns={[
                    { key: 'v', dataIndex: 'version', title: t('catalog.version'), render: (v: number) => `v${v}` },
                    {
                      key: 's',
                      dataIndex: 'state',
                      title: t('catalog.state'),
                      render: (s: string) => <Tag color={STATE_COLOR[s]}>{t(`catalog.vstate.${s}`)}</Tag>,
                    },
                    { key: 'n', title: t('catalog.name'), render: (_: unknown, v: VersionDto) => v.meta.name },
                    {
                      key: 'p',
                      dataIndex: 'publishedAt',
                      title: t('catalog.publishDate'),
                      render: (x: string | null) => fmtDateTime(x, i18n.language),
                    },
                  ]}
                />
                <Card size="small" title={t('catalog.diff')}>
                  {versions.data && <Diff id={id} versions={versions.data} />}
                </Card>
              </Space>
            ),
          },
          ...(insider
            ? [
                {
                  key: 'history',
                  label: t('catalog.history'),
                  children: (
                    <Timeline
                      items={(history.data ?? []).map((e) => ({
                        children: (
                          <>
                            {fmtDateTime(e.at, i18n.language)} · v{e.version} ·{' '}
                            <b>{t(`catalog.action.${e.action}`, { defaultValue: e.action })}</b> · {e.actorName}
                            {e.comment ? `：${e.comment}` : ''}
                          </>
                        ),
                      }))}
                    />
                  ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={decision !== null}
        title={decision ? t(`catalog.${decision}`) : ''}
        onCancel={() => setDecision(null)}
        onOk={() => form.submit()}
        confirmLoading={act.isPending}
        okText={t('common.confirm')}
        cancelText={t('common.cancel')}
        destroyOnHidden
        forceRender
      >
        <Form
          form={form}
          layout="vertical"
          onFinish={(v) =>
            decision === 'retire'
              ? act.mutate({ path: 'retire', body: { reason: v.comment } })
              : act.mutate({ path: 'review', body: { decision, comment: v.comment || undefined } })
          }
        >
          <Form.Item
            name="comment"
            label={decision === 'retire' ? t('catalog.retireReason') : t('catalog.comment')}
            rules={[{ required: decision !== 'approve' }]}
          >
            <Input.TextArea rows={3} autoFocus />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
