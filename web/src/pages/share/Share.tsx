import { useState } from 'react';
import { App, Button, Input, Modal, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { can, useSession } from '../../auth/session';
import { showProblem } from '../../components/forms';
import { useServerTable } from '../../components/table';
import { applicationPage, decisionAnswer, type ApplicationDto } from '../../api/sharing';
import { fmtDateTime } from '../../i18n';
import OpenReview from './OpenReview';
import { Detail } from './Detail';

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
      <Detail id={shown} onClose={() => setShown(null)} onShow={setShown} />
    </>
  );
}
