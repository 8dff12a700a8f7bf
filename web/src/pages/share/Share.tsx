import { useState } from 'react';
import {
  App,
  Button,
  Descriptions,
  Drawer,
  Input,
  Modal,
  Popover,
  Space,
  Table,
  Tabs,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useSearchParams } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api } from '../../api/client';
import { can, useSession } from '../../auth/session';
import { showProblem } from '../../components/forms';
import { useServerTable } from '../../components/table';
import {
  applicationCreated,
  applicationDetail,
  applicationPage,
  decisionAnswer,
  grantStatsAnswer,
  type ApplicationDto,
} from '../../api/sharing';
import { fmtDateTime } from '../../i18n';
import OpenReview from './OpenReview';
import PushTarget from './PushTarget';

type Application = ApplicationDto;
const COLOR: Record<string, string> = {
  provider_review: 'processing',
  bureau_review: 'processing',
  returned: 'warning',
  approved: 'success',
  rejected: 'error',
  withdrawn: 'default',
};

/** 共享申请: the applicant's applications, the review queue with the time left, grants. */
export default function Share() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { data: session } = useSession();
  const roles = session!.user.roles;
  // a notice links here as /share?application=12
  const [params] = useSearchParams();
  const [shown, setShown] = useState<number | null>(Number(params.get('application')) || null);
  const [deciding, setDeciding] = useState<{ id: number; decision: 'approve' | 'return' | 'reject' } | null>(null);
  const [comment, setComment] = useState('');

  // each list is a page of the server's (sorted there); the queue is what awaits this reviewer's step
  const bureau = can(roles, 'admin');
  const mineT = useServerTable('-id');
  const queueT = useServerTable('due');
  const receivedT = useServerTable('-id');
  const list = (query: Record<string, string | number | undefined>) =>
    api(applicationPage, '/api/v1/share/applications', { query });
  const mine = useQuery({
    queryKey: ['share', 'applicant', mineT.query],
    queryFn: () => list({ role: 'applicant', ...mineT.query }),
    placeholderData: keepPreviousData,
  });
  const reviewer = can(roles, 'officer', 'admin');
  const queue = useQuery({
    queryKey: ['share', 'queue', queueT.query],
    queryFn: () =>
      list({
        ...(bureau ? { status: 'bureau_review' } : { role: 'provider', status: 'provider_review' }),
        ...queueT.query,
      }),
    enabled: reviewer,
    placeholderData: keepPreviousData,
  });
  // received: applications for this department's resources (the bureau: all of them)
  const received = useQuery({
    queryKey: ['share', 'received', receivedT.query],
    queryFn: () => list({ ...(bureau ? {} : { role: 'provider' }), ...receivedT.query }),
    enabled: reviewer,
    placeholderData: keepPreviousData,
  });
  const myStep = (a: Application) => (bureau ? a.status === 'bureau_review' : a.status === 'provider_review');
  const one = useQuery({
    queryKey: ['share', 'one', shown],
    queryFn: () => api(applicationDetail, `/api/v1/share/applications/${shown}`),
    enabled: shown !== null,
  });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['share'] });
  const decide = useMutation({
    mutationFn: () =>
      api(decisionAnswer, `/api/v1/share/applications/${deciding!.id}/decide`, {
        method: 'POST',
        body: { decision: deciding!.decision, ...(comment && { comment }) },
      }),
    onSuccess: (r) => {
      setDeciding(null);
      setComment('');
      refresh();
      void message.success(t(`share.states.${r.status}`));
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  const revoke = useMutation({
    mutationFn: (grantId: number) =>
      api(z.undefined(), `/api/v1/share/grants/${grantId}/revoke`, {
        method: 'POST',
        body: { reason: comment || t('share.revokeDefault') },
      }),
    onSuccess: () => {
      refresh();
      void message.success(t('share.revoked'));
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  const columns = (review: boolean, tt: ReturnType<typeof useServerTable>) => [
    {
      key: 'id',
      dataIndex: 'id',
      title: '#',
      sorter: true,
      sortOrder: tt.sortOrder('id'),
      render: (id: number) => (
        <Button type="link" size="small" onClick={() => setShown(id)}>
          {id}
        </Button>
      ),
    },
    { key: 'resourceName', dataIndex: 'resourceName', title: t('share.resource') },
    {
      key: review ? 'applicantDepartment' : 'providerDepartment',
      dataIndex: review ? 'applicantDepartment' : 'providerDepartment',
      title: review ? t('share.applicant') : t('share.provider'),
    },
    {
      key: 'services',
      dataIndex: 'services',
      title: t('share.services'),
      render: (s: string[]) => s.map((x) => <Tag key={x}>{t(`share.serviceTypes.${x}`)}</Tag>),
    },
    {
      key: 'status',
      dataIndex: 'status',
      title: t('share.status'),
      sorter: true,
      sortOrder: tt.sortOrder('status'),
      render: (s: string, a: Application) => (
        <Space size={4}>
          <Tag color={COLOR[s]}>{t(`share.states.${s}`)}</Tag>
          {a.grantStatus === 'revoked' && <Tag color="error">{t('share.revoked')}</Tag>}
          {a.grantStatus === 'expired' && <Tag>{t('share.expired')}</Tag>}
          {a.escalated && <Tag color="error">{t('share.escalated')}</Tag>}
          {a.renews && <Tag>{t('share.renewalOf', { id: a.renews })}</Tag>}
        </Space>
      ),
    },
    {
      key: 'due',
      dataIndex: 'daysLeft',
      title: t('share.timeLeft'),
      sorter: true,
      sortOrder: tt.sortOrder('due'),
      render: (d: number | null, a: Application) =>
        d === null ? (
          ''
        ) : (
          <Tag color={d < 0 ? 'error' : d <= 2 ? 'warning' : 'default'}>
            {d < 0 ? t('share.overdueBy', { n: -d }) : t('share.daysLeft', { n: d, due: a.due })}
          </Tag>
        ),
    },
    {
      key: 'submittedAt',
      dataIndex: 'submittedAt',
      title: t('share.submittedAt'),
      sorter: true,
      sortOrder: tt.sortOrder('submittedAt'),
      render: (v: string) => fmtDateTime(v, i18n.language),
    },
    ...(review
      ? [
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_: unknown, a: Application) =>
              myStep(a) && (
                <Space>
                  <Button size="small" type="primary" onClick={() => setDeciding({ id: a.id, decision: 'approve' })}>
                    {t('share.approve')}
                  </Button>
                  <Button size="small" onClick={() => setDeciding({ id: a.id, decision: 'return' })}>
                    {t('share.return')}
                  </Button>
                  <Button size="small" danger onClick={() => setDeciding({ id: a.id, decision: 'reject' })}>
                    {t('share.reject')}
                  </Button>
                </Space>
              ),
          },
        ]
      : []),
  ];
  const table = (q: typeof mine, tt: ReturnType<typeof useServerTable>, review: boolean) => (
    <Table
      size="middle"
      rowKey="id"
      loading={q.isFetching}
      dataSource={q.data?.items}
      columns={columns(review, tt)}
      locale={{ emptyText: t('common.empty') }}
      scroll={{ x: true }}
      pagination={tt.pagination(q.data?.total, (n) => t('common.total', { total: n }))}
      onChange={tt.onChange}
    />
  );
  const d = one.data;
  // the applicant's own department sets the push target and renews
  const ownApplication = !!d && d.applicantDepartmentId === session!.user.departmentId;
  const usage = useQuery({
    queryKey: ['share', 'stats', d?.grant?.id],
    queryFn: () => api(grantStatsAnswer, `/api/v1/share/grants/${d!.grant!.id}/stats`),
    enabled: !!d?.grant,
  });
  const [renewTo, setRenewTo] = useState('');
  const renewal = useMutation({
    mutationFn: () =>
      api(applicationCreated, `/api/v1/share/applications/${d!.id}/renew`, {
        method: 'POST',
        body: { periodTo: renewTo },
      }),
    onSuccess: (r) => {
      setRenewTo('');
      refresh();
      setShown(r.id);
      void message.success(t(`share.states.${r.status}`));
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  return (
    <>
      <Typography.Title level={3} className="gs-page-title">
        {t('share.title')}
      </Typography.Title>
      <Tabs
        items={[
          { key: 'mine', label: t('share.mine'), children: table(mine, mineT, false) },
          ...(reviewer ? [{ key: 'queue', label: t('share.queue'), children: table(queue, queueT, true) }] : []),
          ...(can(roles, 'officer', 'admin', 'auditor')
            ? [
                {
                  key: 'open',
                  label: t('open.review'),
                  children: <OpenReview canDecide={can(roles, 'officer', 'admin')} />,
                },
              ]
            : []),
          ...(reviewer
            ? [{ key: 'received', label: t('share.received'), children: table(received, receivedT, true) }]
            : []),
        ]}
      />
      <Modal
        open={deciding !== null}
        title={deciding ? t(`share.${deciding.decision}`) : ''}
        onCancel={() => setDeciding(null)}
        onOk={() => decide.mutate()}
        confirmLoading={decide.isPending}
        okText={t('common.confirm')}
        cancelText={t('common.cancel')}
      >
        <Input.TextArea
          rows={3}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          placeholder={t('share.comment')}
          aria-label={t('share.comment')}
        />
      </Modal>
      <Drawer
        open={shown !== null}
        onClose={() => setShown(null)}
        size="large"
        title={d ? `#${d.id} ${d.resourceName}` : ''}
      >
        {d && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Paragraph>{d.purpose}</Typography.Paragraph>
            <Typography.Text type="secondary">
              {d.fields.join('、')} · {d.periodFrom} — {d.periodTo}
            </Typography.Text>
            {/* what the reviewer decides on */}
            <Descriptions
              size="small"
              column={1}
              bordered
              items={[
                { key: 'basis', label: t('share.legalBasis'), children: d.legalBasis },
                { key: 'scenario', label: t('share.scenario'), children: d.scenario },
                {
                  key: 'calls',
                  label: t('share.expectedCalls'),
                  children: d.expectedCalls.toLocaleString(i18n.language),
                },
                {
                  key: 'rows',
                  label: t('share.rowScope'),
                  children: d.rowFilter
                    ? `${d.rowFilter.item} ∈ {${d.rowFilter.values.join('、')}}`
                    : t('share.allRows'),
                },
              ]}
            />
            <Timeline
              items={d.decisions.map((x) => ({
                color:
                  x.decision === 'reject' || x.decision === 'revoke'
                    ? 'red'
                    : x.decision === 'return'
                      ? 'orange'
                      : 'green',
                children: (
                  <span>
                    {fmtDateTime(x.at, i18n.language)} · {t(`share.steps.${x.step}`)} ·{' '}
                    {t(`share.decisions.${x.decision}`)} · {x.by}
                    {x.comment ? `：${x.comment}` : ''}{' '}
                    <Popover
                      title={t('share.signedMessage')}
                      trigger="click"
                      content={
                        <div style={{ maxWidth: 520 }}>
                          <Typography.Paragraph code copyable style={{ wordBreak: 'break-all' }}>
                            {x.message}
                          </Typography.Paragraph>
                          <Typography.Text
                            type="secondary"
                            copyable={{ text: x.signature }}
                            style={{ wordBreak: 'break-all', fontSize: 12 }}
                          >
                            SM2 {x.signature}
                          </Typography.Text>
                        </div>
                      }
                    >
                      {x.authentic ? (
                        <Tag color="success" style={{ cursor: 'pointer' }}>
                          {t('share.signed')}
                        </Tag>
                      ) : (
                        <Tag color="error" style={{ cursor: 'pointer' }}>
                          {t('share.badSignature')}
                        </Tag>
                      )}
                    </Popover>
                  </span>
                ),
              }))}
            />
            {d.grant && (
              <>
                <Typography.Title level={5}>
                  {t('share.grant')} #{d.grant.id}{' '}
                  <Tag
                    color={d.grant.state === 'active' ? 'success' : d.grant.state === 'revoked' ? 'error' : 'default'}
                  >
                    {t(`share.grantStates.${d.grant.state}`)}
                  </Tag>
                </Typography.Title>
                <Table
                  size="small"
                  rowKey="f"
                  pagination={false}
                  dataSource={d.grant.fields.map((f) => ({ f, mask: d.grant!.masks[f] ?? 'none' }))}
                  columns={[
                    { key: 'f', dataIndex: 'f', title: t('share.fields') },
                    {
                      key: 'mask',
                      dataIndex: 'mask',
                      title: t('share.mask'),
                      render: (m: string) => (m === 'none' ? t('share.clear') : <Tag>{m}</Tag>),
                    },
                  ]}
                />
                <Typography.Text type="secondary">
                  {t('share.rate', { n: d.grant.ratePerMinute })} ·{' '}
                  {t('share.expires', { at: fmtDateTime(d.grant.expiresAt, i18n.language) })}
                </Typography.Text>
                {/* the providing department or the bureau may revoke (the API refuses anyone else) */}
                {d.grant.status === 'active' &&
                  d.grant.state !== 'expired' &&
                  (can(roles, 'admin') ||
                    (can(roles, 'officer') && session!.user.departmentId === d.providerDepartmentId)) && (
                    <Button danger onClick={() => revoke.mutate(d.grant!.id)} loading={revoke.isPending}>
                      {t('share.revoke')}
                    </Button>
                  )}
                {usage.data && (
                  <>
                    <Typography.Title level={5}>{t('share.usage')}</Typography.Title>
                    <Space wrap>
                      {t('share.calls30', { n: usage.data.total })}
                      {Object.entries(usage.data.byService).map(([k, n]) => (
                        <Tag key={k}>
                          {t(`share.serviceTypes.${k}`)} {n}
                        </Tag>
                      ))}
                    </Space>
                    {usage.data.deliveries.length > 0 && (
                      <Table
                        size="small"
                        rowKey="id"
                        pagination={false}
                        dataSource={usage.data.deliveries}
                        columns={[
                          { key: 'id', dataIndex: 'id', title: t('share.deliveryId') },
                          { key: 'format', dataIndex: 'format', title: t('share.format') },
                          { key: 'rows', dataIndex: 'rows', title: t('share.rows') },
                          {
                            key: 'at',
                            dataIndex: 'createdAt',
                            title: t('share.submittedAt'),
                            render: (v: string) => fmtDateTime(v, i18n.language),
                          },
                          {
                            key: 'state',
                            title: t('share.deliveryState'),
                            render: (_: unknown, r: { completed: boolean; failed: boolean }) => (
                              <Tag color={r.failed ? 'error' : r.completed ? 'success' : 'processing'}>
                                {t(
                                  `share.deliveryStates.${r.failed ? 'failed' : r.completed ? 'completed' : 'running'}`,
                                )}
                              </Tag>
                            ),
                          },
                        ]}
                      />
                    )}
                  </>
                )}
                {d.grant.services.includes('push') && <PushTarget grantId={d.grant.id} editable={ownApplication} />}
                {d.status === 'approved' && ownApplication && (
                  <Space>
                    <Input
                      type="date"
                      value={renewTo}
                      onChange={(e) => setRenewTo(e.target.value)}
                      aria-label={t('share.renewTo')}
                      style={{ width: 180 }}
                    />
                    <Button disabled={!renewTo} loading={renewal.isPending} onClick={() => renewal.mutate()}>
                      {t('share.renew')}
                    </Button>
                  </Space>
                )}
              </>
            )}
          </Space>
        )}
      </Drawer>
    </>
  );
}
