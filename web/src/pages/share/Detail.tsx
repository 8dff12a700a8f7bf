import { useState } from 'react';
import { App, Button, Descriptions, Drawer, Input, Popover, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api } from '../../api/client';
import { can, useSession } from '../../auth/session';
import { showProblem } from '../../components/forms';
import { applicationCreated, applicationDetail, grantStatsAnswer } from '../../api/sharing';
import { fmtDateTime } from '../../i18n';
import PushTarget from './PushTarget';

/** One application: what was asked, the signed decisions, its grant with its use, its push target and renewal. */
export function Detail({
  id,
  onClose,
  onShow,
}: {
  id: number | null;
  onClose: () => void;
  onShow: (id: number) => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { data: session } = useSession();
  const roles = session!.user.roles;
  const refresh = () => void qc.invalidateQueries({ queryKey: ['share'] });
  const one = useQuery({
    queryKey: ['share', 'one', id],
    queryFn: () => api(applicationDetail, `/api/v1/share/applications/${id}`),
    enabled: id !== null,
  });
  const revoke = useMutation({
    mutationFn: (grantId: number) =>
      api(z.undefined(), `/api/v1/share/grants/${grantId}/revoke`, {
        method: 'POST',
        body: { reason: t('share.revokeDefault') },
      }),
    onSuccess: () => {
      refresh();
      void message.success(t('share.revoked'));
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
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
      onShow(r.id);
      void message.success(t(`share.states.${r.status}`));
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  return (
    <Drawer open={id !== null} onClose={onClose} size="large" title={d ? `#${d.id} ${d.resourceName}` : ''}>
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
                children: d.rowFilter ? `${d.rowFilter.item} ∈ {${d.rowFilter.values.join('、')}}` : t('share.allRows'),
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
                <Tag color={d.grant.state === 'active' ? 'success' : d.grant.state === 'revoked' ? 'error' : 'default'}>
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
                              {t(`share.deliveryStates.${r.failed ? 'failed' : r.completed ? 'completed' : 'running'}`)}
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
  );
}
