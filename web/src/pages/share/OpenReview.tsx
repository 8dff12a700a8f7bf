import { useState } from 'react';
import { App, Button, Input, Modal, Space, Table, Tag } from 'antd';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { openApplicationPage, openDecided, type OpenApplicationDto } from '../../api/open';
import { showProblem } from '../../components/forms';

/** 开放申请审核: applications for 有条件开放 data, oldest due first, overdue ones in red. */
export default function OpenReview({ canDecide }: { canDecide: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [deciding, setDeciding] = useState<{ id: number; decision: 'approve' | 'reject' } | null>(null);
  const [reason, setReason] = useState('');
  const [pg, setPg] = useState({ page: 1, pageSize: 20 });
  const list = useQuery({
    queryKey: ['share', 'open', pg],
    queryFn: () => api(openApplicationPage, '/api/v1/share/open-applications', { query: pg }),
    placeholderData: keepPreviousData,
  });
  const decide = useMutation({
    mutationFn: () =>
      api(openDecided, `/api/v1/share/open-applications/${deciding!.id}/decide`, {
        method: 'POST',
        body: { decision: deciding!.decision, ...(reason && { reason }) },
      }),
    onSuccess: (r) => {
      setDeciding(null);
      setReason('');
      void qc.invalidateQueries({ queryKey: ['share', 'open'] });
      void message.success(t(`open.states.${r.status}`));
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  return (
    <>
      <Table
        size="middle"
        rowKey="id"
        loading={list.isFetching}
        dataSource={list.data?.items}
        locale={{ emptyText: t('common.empty') }}
        scroll={{ x: true }}
        pagination={{
          current: pg.page,
          pageSize: pg.pageSize,
          total: list.data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) => t('common.total', { total: n }),
          onChange: (page, pageSize) => setPg({ page, pageSize }),
        }}
        columns={[
          { key: 'id', dataIndex: 'id', title: '#' },
          { key: 'res', dataIndex: 'resourceName', title: t('share.resource') },
          {
            key: 'who',
            title: t('open.applicant'),
            render: (_: unknown, r: OpenApplicationDto) =>
              `${r.applicant}${r.organization ? `（${r.organization}）` : ''}`,
          },
          { key: 'purpose', dataIndex: 'purpose', title: t('open.purpose') },
          { key: 'scenario', dataIndex: 'scenario', title: t('open.scenario') },
          {
            key: 'status',
            dataIndex: 'status',
            title: t('share.status'),
            render: (s: string) => (
              <Tag color={s === 'approved' ? 'success' : s === 'rejected' ? 'error' : 'processing'}>
                {t(`open.states.${s}`)}
              </Tag>
            ),
          },
          {
            key: 'due',
            title: t('open.due'),
            render: (_: unknown, r: OpenApplicationDto) =>
              r.status === 'submitted' ? (
                <Tag color={r.overdue ? 'error' : 'default'}>
                  {r.due}
                  {r.overdue ? ` · ${t('open.overdue')}` : ''}
                </Tag>
              ) : (
                ''
              ),
          },
          ...(canDecide
            ? [
                {
                  key: 'act',
                  title: t('common.actions'),
                  render: (_: unknown, r: OpenApplicationDto) =>
                    r.status === 'submitted' && (
                      <Space>
                        <Button
                          size="small"
                          type="primary"
                          onClick={() => setDeciding({ id: r.id, decision: 'approve' })}
                        >
                          {t('share.approve')}
                        </Button>
                        <Button size="small" danger onClick={() => setDeciding({ id: r.id, decision: 'reject' })}>
                          {t('share.reject')}
                        </Button>
                      </Space>
                    ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={!!deciding}
        title={deciding && t(deciding.decision === 'approve' ? 'share.approve' : 'share.reject')}
        onCancel={() => setDeciding(null)}
        onOk={() => decide.mutate()}
        confirmLoading={decide.isPending}
      >
        <Input.TextArea
          rows={3}
          placeholder={t('open.reason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </Modal>
    </>
  );
}
