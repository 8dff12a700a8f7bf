/**
 * One objection: what, who, the due date, the trail, the corrections, the evidence, and the step the
 * viewer may take.
 */
import { useState } from 'react';
import {
  App,
  Button,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
  Upload,
} from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, csrfToken, ApiError } from '../../api/client';
import { objectionDetail, objectionStep } from '../../api/objection';
import { can, useSession } from '../../auth/session';
import { showProblem } from '../../components/forms';
import { fmtDateTime } from '../../i18n';

/** the tag colour of each status */
export const COLOR: Record<string, string> = {
  submitted: 'processing',
  flagged: 'warning',
  not_accepted: 'default',
  corrected: 'success',
  rejected: 'error',
  contested: 'magenta',
  archived: 'default',
};

/** One objection: what, who, the due date, the trail, the corrections, the evidence, and the step the viewer may take. */
export function Detail({ id, onClose }: { id: number; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { data: session } = useSession();
  const user = session!.user;
  const [act, setAct] = useState<null | 'refuse' | 'correct' | 'reject' | 'contest' | 'uphold' | 'reopen'>(null);
  const [text, setText] = useState('');
  const [value, setValue] = useState('');
  const o = useQuery({
    queryKey: ['objections', 'one', id],
    queryFn: () => api(objectionDetail, `/api/v1/objections/${id}`),
  });
  const step = useMutation({
    mutationFn: ({ path, body }: { path: string; body: object }) =>
      api(objectionStep, `/api/v1/objections/${id}/${path}`, { method: 'POST', body }),
    onSuccess: (r) => {
      setAct(null);
      setText('');
      void qc.invalidateQueries({ queryKey: ['objections'] });
      void message.success(t(`objection.states.${r.status}`));
    },
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });
  if (!o.data) return <Drawer open onClose={onClose} loading />;
  const d = o.data;
  const { provider, raiser } = d.viewer;
  const run = () => {
    if (act === 'refuse') step.mutate({ path: 'accept', body: { accept: false, reason: text } });
    if (act === 'correct')
      step.mutate({
        path: 'handle',
        body: { decision: 'correct', reason: text, changes: d.field ? { [d.field]: value } : {} },
      });
    if (act === 'reject') step.mutate({ path: 'handle', body: { decision: 'reject', reason: text } });
    if (act === 'contest') step.mutate({ path: 'respond', body: { decision: 'contest', comment: text } });
    if (act === 'uphold' || act === 'reopen') step.mutate({ path: 'review', body: { decision: act, reason: text } });
  };
  const upload = async (file: File) => {
    const res = await fetch(`/api/v1/objections/${id}/attachments?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      body: file,
      headers: { 'content-type': file.type || 'application/octet-stream', 'x-csrf-token': csrfToken() ?? '' },
      credentials: 'same-origin',
    });
    if (!res.ok) {
      const p = await res.json().catch(() => ({ code: `HTTP_${res.status}` }));
      showProblem(null, new ApiError({ ...p, status: res.status }), (s) => void message.error(s));
    } else void qc.invalidateQueries({ queryKey: ['objections'] });
  };
  return (
    <Drawer
      open
      width={720}
      onClose={onClose}
      title={`${t('objection.title')} #${d.id}`}
      data-testid="objection-drawer"
    >
      <Descriptions
        size="small"
        column={1}
        bordered
        items={[
          {
            key: 's',
            label: t('objection.status'),
            children: (
              <Space>
                <Tag color={COLOR[d.status]} data-testid="objection-status">
                  {t(`objection.states.${d.status}`)}
                </Tag>
                {d.flagged && <Tag color="warning">{t('objection.flaggedTag')}</Tag>}
                {d.due && d.status !== 'archived' && (
                  <Tag color={d.overdue ? 'error' : 'default'}>
                    {t('objection.due')} {d.due}
                  </Tag>
                )}
              </Space>
            ),
          },
          { key: 'r', label: t('objection.resource'), children: `${d.resourceName ?? d.resourceId} · ${d.provider}` },
          {
            key: 'k',
            label: t('objection.recordKey'),
            children: d.recordKey ? Object.values(d.recordKey).join(' / ') : t('objection.wholeResource'),
          },
          { key: 'f', label: t('objection.field'), children: d.field ?? '—' },
          {
            key: 'v',
            label: t('objection.seenProposed'),
            children: `${d.seenValue ?? '—'} → ${d.proposedValue ?? '—'}`,
          },
          { key: 'd', label: t('objection.description'), children: d.description },
          {
            key: 'who',
            label: t('objection.raiser'),
            children: `${d.raiserName}${d.raiserDepartment ? ` · ${d.raiserDepartment}` : ''}`,
          },
          ...(d.reason ? [{ key: 'why', label: t('objection.reason'), children: d.reason }] : []),
          ...(d.sourceReminded
            ? [{ key: 'src', label: t('objection.source'), children: t('objection.sourceReminded') }]
            : []),
        ]}
      />
      <Space wrap style={{ margin: '12px 0' }}>
        {d.status === 'submitted' && provider && (
          <>
            <Button
              type="primary"
              onClick={() => step.mutate({ path: 'accept', body: { accept: true } })}
              loading={step.isPending}
              data-testid="objection-accept"
            >
              {t('objection.accept')}
            </Button>
            <Button onClick={() => setAct('refuse')}>{t('objection.refuse')}</Button>
          </>
        )}
        {d.status === 'flagged' && provider && (
          <>
            <Button
              type="primary"
              onClick={() => {
                setValue(d.proposedValue ?? '');
                setAct('correct');
              }}
              data-testid="objection-correct"
            >
              {t('objection.correct')}
            </Button>
            <Button danger onClick={() => setAct('reject')}>
              {t('objection.reject')}
            </Button>
          </>
        )}
        {['corrected', 'rejected', 'not_accepted'].includes(d.status) && raiser && (
          <>
            <Button
              type="primary"
              onClick={() => step.mutate({ path: 'respond', body: { decision: 'accept' } })}
              data-testid="objection-confirm"
            >
              {t('objection.confirm')}
            </Button>
            {!d.contested && <Button onClick={() => setAct('contest')}>{t('objection.contest')}</Button>}
          </>
        )}
        {d.status === 'contested' && can(user.roles, 'admin') && (
          <>
            <Button onClick={() => setAct('uphold')}>{t('objection.uphold')}</Button>
            <Button type="primary" onClick={() => setAct('reopen')}>
              {t('objection.reopen')}
            </Button>
          </>
        )}
        {d.status !== 'archived' && (raiser || provider) && (
          <Upload
            accept="image/png,image/jpeg,application/pdf"
            showUploadList={false}
            customRequest={({ file }) => void upload(file as File)}
          >
            <Button icon={<UploadOutlined />}>{t('objection.attach')}</Button>
          </Upload>
        )}
      </Space>
      {d.attachments.length > 0 && (
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={d.attachments}
          style={{ marginBottom: 12 }}
          columns={[
            {
              key: 'n',
              title: t('objection.attachments'),
              render: (_: unknown, a) => <a href={`/api/v1/objections/${id}/attachments/${a.id}`}>{a.name}</a>,
            },
            {
              key: 's',
              title: t('objection.size'),
              render: (_: unknown, a) => (a.size < 1024 ? `${a.size} B` : `${(a.size / 1024).toFixed(0)} KB`),
            },
            { key: 'b', dataIndex: 'uploadedBy', title: t('objection.by') },
          ]}
        />
      )}
      {d.corrections.length > 0 && (
        <Table
          size="small"
          rowKey={(c) => `${c.field}${c.at}`}
          pagination={false}
          dataSource={d.corrections}
          style={{ marginBottom: 12 }}
          data-testid="objection-corrections"
          columns={[
            { key: 'f', dataIndex: 'field', title: t('objection.field') },
            { key: 'o', dataIndex: 'oldValue', title: t('objection.old') },
            { key: 'n', dataIndex: 'newValue', title: t('objection.new') },
            { key: 'r', dataIndex: 'reason', title: t('objection.reason') },
            {
              key: 'b',
              title: t('objection.by'),
              render: (_: unknown, c) => `${c.by} · ${fmtDateTime(c.at, i18n.language)}`,
            },
          ]}
        />
      )}
      <Typography.Title level={5}>{t('objection.trail')}</Typography.Title>
      <Timeline
        data-testid="objection-trail"
        items={d.trail.map((e) => ({
          children: (
            <>
              <b>{t(`objection.steps.${e.step}`)}</b> · {e.by} · {fmtDateTime(e.at, i18n.language)}
              {e.comment && <div>{e.comment}</div>}
            </>
          ),
        }))}
      />
      <Modal
        open={!!act}
        title={act && t(`objection.${act}`)}
        onCancel={() => setAct(null)}
        onOk={run}
        confirmLoading={step.isPending}
        okButtonProps={{ 'data-testid': 'objection-ok' } as Record<string, string>}
      >
        {act === 'correct' && d.field && (
          <Form.Item label={`${t('objection.new')}（${d.field}）`}>
            <Input value={value} onChange={(e) => setValue(e.target.value)} data-testid="objection-value" />
          </Form.Item>
        )}
        <Input.TextArea
          rows={3}
          placeholder={t('objection.reason')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="objection-reason"
        />
      </Modal>
    </Drawer>
  );
}
