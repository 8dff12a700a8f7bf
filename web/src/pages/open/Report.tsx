/**
 * The open key card (register, show, forget), 纠错 on a record and the key's reports with the one
 * answer the reporter gives.
 */
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Modal, Select, Space, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import {
  openApplicationCreated,
  openApplicationPage,
  openKeyCreated,
  publicObjectionCreated,
  publicObjectionPage,
  publicResponded,
  type OpenDataset,
} from '../../api/open';

export function KeyCard({ id, value, onChange }: { id: string; value: string; onChange: (k: string) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [shownKey, setShownKey] = useState<string | null>(null);
  const headers: Record<string, string> = value ? { 'x-gs-open-key': value } : {};
  const apps = useQuery({
    queryKey: ['open', 'apps', value, id],
    queryFn: () =>
      api(openApplicationPage, '/api/v1/open/applications', { headers, query: { resourceId: id, pageSize: 50 } }),
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
  const mine = apps.data?.items ?? [];
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
export function Report({
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
export function MyReports({ id, openKey }: { id: string; openKey: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const headers = { 'x-gs-open-key': openKey };
  const list = useQuery({
    queryKey: ['open', 'reports', openKey, id],
    queryFn: () =>
      api(publicObjectionPage, '/api/v1/open/objections', { headers, query: { resourceId: id, pageSize: 50 } }),
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
  const mine = list.data?.items ?? [];
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
