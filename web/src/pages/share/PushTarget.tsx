import { App, Alert, Button, Form, Input, InputNumber, Select, Space, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { pushResult, pushTargetDto, pushTargetSaved } from '../../api/sharing';
import { showProblem } from '../../components/forms';
import { fmtDateTime } from '../../i18n';

type Values = {
  kind: 'postgres' | 'mysql';
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  table: string;
  schedule?: string;
};

/** 库表推送: where a grant's data is pushed (the consumer's own table), on what schedule; push now. */
export default function PushTarget({ grantId, editable }: { grantId: number; editable: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const current = useQuery({
    queryKey: ['share', 'push', grantId],
    queryFn: () => api(pushTargetDto, `/api/v1/share/grants/${grantId}/push`),
  });
  const save = useMutation({
    mutationFn: (v: Values) =>
      api(pushTargetSaved, `/api/v1/share/grants/${grantId}/push`, {
        method: 'PUT',
        body: { ...v, schedule: v.schedule || null, password: v.password || undefined },
      }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['share', 'push', grantId] });
      void message.success(t('common.saved'));
    },
    onError: (e) => showProblem(form, e, (s) => void message.error(s)),
  });
  const run = useMutation({
    mutationFn: () => api(pushResult, `/api/v1/share/grants/${grantId}/push/run`, { method: 'POST' }),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['share'] });
      void message.success(t('share.pushed', { n: r.rows }));
    },
    onError: (e) => {
      void qc.invalidateQueries({ queryKey: ['share', 'push', grantId] });
      showProblem(null, e, (s) => void message.error(s));
    },
  });
  const c = current.data;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Title level={5}>{t('share.push')}</Typography.Title>
      {c && (
        <Typography.Text type="secondary">
          {c.kind}://{c.host}:{c.port}/{c.database} · {c.table} · {c.schedule ?? t('share.onDemand')} ·{' '}
          {t('share.lastPush')} {fmtDateTime(c.lastPushAt, i18n.language) || '—'}
        </Typography.Text>
      )}
      {c?.lastError && <Alert type="error" showIcon message={c.lastError} />}
      {editable && (
        <Form
          form={form}
          layout="vertical"
          key={c ? 'set' : 'new'}
          initialValues={
            c ? { ...c, schedule: c.schedule ?? '' } : { kind: 'postgres', port: 5432, schedule: '0 2 * * *' }
          }
          onFinish={(v) => save.mutate(v)}
        >
          <Space wrap>
            <Form.Item name="kind" label={t('share.dbKind')}>
              <Select
                style={{ width: 140 }}
                options={[
                  { value: 'postgres', label: 'PostgreSQL' },
                  { value: 'mysql', label: 'MySQL / MariaDB' },
                ]}
              />
            </Form.Item>
            <Form.Item name="host" label={t('share.host')} rules={[{ required: true }]}>
              <Input style={{ width: 180 }} />
            </Form.Item>
            <Form.Item name="port" label={t('share.port')} rules={[{ required: true }]}>
              <InputNumber min={1} max={65535} />
            </Form.Item>
            <Form.Item name="database" label={t('share.database')} rules={[{ required: true }]}>
              <Input style={{ width: 160 }} />
            </Form.Item>
            <Form.Item name="user" label={t('share.dbUser')} rules={[{ required: true }]}>
              <Input style={{ width: 140 }} />
            </Form.Item>
            <Form.Item name="password" label={t('share.dbPassword')}>
              <Input.Password style={{ width: 160 }} autoComplete="new-password" />
            </Form.Item>
            <Form.Item name="table" label={t('share.table')} rules={[{ required: true }]}>
              <Input style={{ width: 160 }} />
            </Form.Item>
            <Form.Item name="schedule" label={t('share.schedule')}>
              <Input style={{ width: 140 }} placeholder="0 2 * * *" />
            </Form.Item>
          </Space>
          <Space>
            <Button htmlType="submit" type="primary" loading={save.isPending}>
              {t('common.save')}
            </Button>
            {c && (
              <Button onClick={() => run.mutate()} loading={run.isPending}>
                {t('share.pushNow')}
              </Button>
            )}
          </Space>
        </Form>
      )}
    </Space>
  );
}
