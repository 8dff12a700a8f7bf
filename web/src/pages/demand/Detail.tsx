/**
 * One demand: what was asked, its trail, and the step the viewer may take.
 */
import { useState } from 'react';
import { useNavigate } from 'react-router';
import {
  App,
  Button,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Input,
  InputNumber,
  Modal,
  Rate,
  Select,
  Space,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { api } from '../../api/client';
import { appCredential, pageOf, searchResult } from '../../api/schemas';
import { demandApplied, demandDetail, demandRated, demandStep } from '../../api/demand';
import { can, useSession } from '../../auth/session';
import { showProblem } from '../../components/forms';
import { useDepartments } from '../../components/useDepartments';
import { fmtDateTime } from '../../i18n';

/** the tag colour of each status */
export const COLOR: Record<string, string> = {
  submitted: 'processing',
  matched: 'success',
  assigned: 'warning',
  provided: 'success',
  rejected: 'error',
};

export function Detail({ id, onClose }: { id: number; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { data: session } = useSession();
  const user = session!.user;
  const deps = useDepartments();
  const [answer, setAnswer] = useState<{
    outcome: 'matched' | 'assigned' | 'rejected';
    resourceId?: string;
    departmentId?: string;
    text: string;
  } | null>(null);
  const [q, setQ] = useState('');
  const [applying, setApplying] = useState(false);
  const [form] = Form.useForm();
  const d = useQuery({ queryKey: ['demands', 'one', id], queryFn: () => api(demandDetail, `/api/v1/demands/${id}`) });
  const search = useQuery({
    queryKey: ['demand-res', q],
    queryFn: () => api(searchResult, '/api/v1/catalog/search', { query: { q, pageSize: 20 } }),
    enabled: !!answer || d.data?.status === 'assigned',
  });
  const creds = useQuery({
    queryKey: ['my-credentials'],
    queryFn: () => api(pageOf(appCredential), '/api/v1/app-credentials', { query: { pageSize: 100 } }),
    enabled: applying,
  });
  const done = (msg: string) => {
    setAnswer(null);
    setApplying(false);
    void qc.invalidateQueries({ queryKey: ['demands'] });
    void message.success(msg);
  };
  const fail = (e: unknown) => showProblem(null, e, (s) => void message.error(s));
  const send = useMutation({
    mutationFn: () =>
      api(demandStep, `/api/v1/demands/${id}/answer`, {
        method: 'POST',
        body:
          answer!.outcome === 'matched'
            ? { outcome: 'matched', resourceId: answer!.resourceId, comment: answer!.text || undefined }
            : answer!.outcome === 'assigned'
              ? { outcome: 'assigned', departmentId: answer!.departmentId, comment: answer!.text || undefined }
              : { outcome: 'rejected', reason: answer!.text },
      }),
    onSuccess: (r) => done(t(`demand.states.${r.status}`)),
    onError: fail,
  });
  const provide = useMutation({
    mutationFn: (resourceId: string) =>
      api(demandStep, `/api/v1/demands/${id}/provide`, { method: 'POST', body: { resourceId } }),
    onSuccess: (r) => done(t(`demand.states.${r.status}`)),
    onError: fail,
  });
  const rate = useMutation({
    mutationFn: (rating: number) =>
      api(demandRated, `/api/v1/demands/${id}/rate`, { method: 'POST', body: { rating } }),
    onSuccess: () => done(t('demand.rated')),
    onError: fail,
  });
  const apply = useMutation({
    mutationFn: (v: { appCredentialId: string; period: [Dayjs, Dayjs]; expectedCalls: number; fields: string[] }) =>
      api(demandApplied, `/api/v1/demands/${id}/apply`, {
        method: 'POST',
        body: {
          appCredentialId: v.appCredentialId,
          fields: v.fields,
          periodFrom: v.period[0].format('YYYY-MM-DD'),
          periodTo: v.period[1].format('YYYY-MM-DD'),
          expectedCalls: v.expectedCalls,
        },
      }),
    onSuccess: () => {
      done(t('share.submitted'));
      navigate('/share');
    },
    onError: (e) => showProblem(form, e, (s) => void message.error(s), ['fields', 'appCredentialId', 'expectedCalls']),
  });
  if (!d.data) return <Drawer open onClose={onClose} loading />;
  const x = d.data;
  const mine = x.departmentId === user.departmentId;
  return (
    <Drawer open width={720} onClose={onClose} title={`${t('demand.title')} #${x.id}`} data-testid="demand-drawer">
      <Descriptions
        size="small"
        column={1}
        bordered
        items={[
          {
            key: 's',
            label: t('demand.status'),
            children: (
              <Space>
                <Tag color={COLOR[x.status]}>{t(`demand.states.${x.status}`)}</Tag>
                {x.status === 'submitted' && (
                  <Tag color={x.overdue ? 'error' : 'default'}>
                    {t('demand.due')} {x.due}
                  </Tag>
                )}
                {x.onTime === false && <Tag color="error">{t('demand.late')}</Tag>}
              </Space>
            ),
          },
          { key: 't', label: t('demand.name'), children: x.title },
          { key: 'd', label: t('demand.description'), children: x.description },
          { key: 'p', label: t('demand.purpose'), children: x.purpose },
          { key: 'f', label: t('demand.fields'), children: x.fields.join('、') || '—' },
          { key: 'l', label: t('demand.legalBasis'), children: x.legalBasis },
          { key: 'w', label: t('demand.department'), children: `${x.department} · ${x.requester}` },
          ...(x.resourceName ? [{ key: 'r', label: t('demand.resource'), children: x.resourceName }] : []),
          ...(x.assignedDepartment
            ? [{ key: 'a', label: t('demand.assignedTo'), children: x.assignedDepartment }]
            : []),
          ...(x.reason ? [{ key: 'why', label: t('demand.reason'), children: x.reason }] : []),
        ]}
      />
      <Space wrap style={{ margin: '12px 0' }}>
        {x.status === 'submitted' && can(user.roles, 'admin') && (
          <>
            <Button
              type="primary"
              onClick={() => setAnswer({ outcome: 'matched', text: '', resourceId: x.suggestions[0]?.id })}
              data-testid="demand-match"
            >
              {t('demand.match')}
            </Button>
            <Button onClick={() => setAnswer({ outcome: 'assigned', text: '' })}>{t('demand.assign')}</Button>
            <Button danger onClick={() => setAnswer({ outcome: 'rejected', text: '' })}>
              {t('demand.reject')}
            </Button>
          </>
        )}
        {x.status === 'assigned' &&
          (can(user.roles, 'admin') ||
            (can(user.roles, 'officer') && user.departmentId === x.assignedDepartmentId)) && (
            <Select
              showSearch
              style={{ width: 320 }}
              placeholder={t('demand.provide')}
              filterOption={false}
              onSearch={setQ}
              onChange={(v: string) => provide.mutate(v)}
              options={(search.data?.items ?? [])
                .filter((r) => r.departmentId === x.assignedDepartmentId)
                .map((r) => ({ value: r.id, label: r.name }))}
            />
          )}
        {mine && x.draft && (
          <Button
            type="primary"
            onClick={() => {
              form.setFieldsValue({ fields: x.draft!.fields, expectedCalls: 1000 });
              setApplying(true);
            }}
            data-testid="demand-apply"
          >
            {t('demand.apply', { name: x.draft.resourceName })}
          </Button>
        )}
        {mine && x.status !== 'submitted' && x.rating === null && (
          <span>
            {t('demand.rate')}：<Rate onChange={(n) => rate.mutate(n)} />
          </span>
        )}
        {x.rating !== null && <Rate disabled value={x.rating} />}
      </Space>
      {x.status === 'submitted' && can(user.roles, 'admin') && x.suggestions.length > 0 && (
        <>
          <Typography.Title level={5}>{t('demand.suggestions')}</Typography.Title>
          <ul>
            {x.suggestions.map((s) => (
              <li key={s.id}>
                {s.name} · {s.departmentName}
              </li>
            ))}
          </ul>
        </>
      )}
      <Typography.Title level={5}>{t('demand.trail')}</Typography.Title>
      <Timeline
        items={x.trail.map((e) => ({
          children: (
            <>
              <b>{t(`demand.steps.${e.step}`)}</b> · {e.by} · {fmtDateTime(e.at, i18n.language)}
              {e.comment && <div>{e.comment}</div>}
            </>
          ),
        }))}
      />
      <Modal
        open={!!answer}
        title={
          answer &&
          t(`demand.${answer.outcome === 'matched' ? 'match' : answer.outcome === 'assigned' ? 'assign' : 'reject'}`)
        }
        onCancel={() => setAnswer(null)}
        onOk={() => send.mutate()}
        confirmLoading={send.isPending}
      >
        {answer?.outcome === 'matched' && (
          <Select
            showSearch
            style={{ width: '100%', marginBottom: 8 }}
            value={answer.resourceId}
            filterOption={false}
            onSearch={setQ}
            onChange={(v: string) => setAnswer({ ...answer, resourceId: v })}
            options={[
              ...x.suggestions.map((s) => ({ value: s.id, label: `${s.name} · ${s.departmentName}` })),
              ...(search.data?.items ?? [])
                .filter((r) => !x.suggestions.some((s) => s.id === r.id))
                .map((r) => ({ value: r.id, label: `${r.name} · ${r.departmentName}` })),
            ]}
          />
        )}
        {answer?.outcome === 'assigned' && (
          <Select
            showSearch
            optionFilterProp="label"
            style={{ width: '100%', marginBottom: 8 }}
            value={answer.departmentId}
            onChange={(v: string) => setAnswer({ ...answer, departmentId: v })}
            options={deps.items.map((dep) => ({ value: dep.id, label: dep.name }))}
          />
        )}
        <Input.TextArea
          rows={3}
          placeholder={t(answer?.outcome === 'rejected' ? 'demand.reason' : 'demand.comment')}
          value={answer?.text}
          onChange={(e) => setAnswer({ ...answer!, text: e.target.value })}
        />
      </Modal>
      <Modal
        open={applying}
        title={t('demand.apply', { name: x.draft?.resourceName ?? '' })}
        onCancel={() => setApplying(false)}
        onOk={() => form.submit()}
        confirmLoading={apply.isPending}
      >
        <Form form={form} layout="vertical" onFinish={(v) => apply.mutate(v)}>
          <Form.Item name="appCredentialId" label={t('share.credential')} rules={[{ required: true }]}>
            <Select
              options={(creds.data?.items ?? [])
                .filter((c) => c.status === 'active')
                .map((c) => ({ value: c.id, label: c.name }))}
            />
          </Form.Item>
          <Form.Item name="fields" label={t('share.fields')} rules={[{ required: true }]}>
            <Select mode="tags" />
          </Form.Item>
          <Form.Item name="period" label={t('share.period')} rules={[{ required: true }]}>
            <DatePicker.RangePicker />
          </Form.Item>
          <Form.Item name="expectedCalls" label={t('share.expectedCalls')} rules={[{ required: true }]}>
            <InputNumber min={1} />
          </Form.Item>
          <Typography.Text type="secondary">{t('demand.prefilled')}</Typography.Text>
        </Form>
      </Modal>
    </Drawer>
  );
}
