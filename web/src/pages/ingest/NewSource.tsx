/** A new source (a database table or query, or an HTTP JSON API) for one of the published resources. */
import { useEffect } from 'react';
import { App, Form, Input, InputNumber, Modal, Select, Space } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { showProblem } from '../../components/forms';
import { sourceCreated } from '../../api/aggregation';

export function NewSource({
  open,
  onClose,
  resOptions,
}: {
  open: boolean;
  onClose: () => void;
  resOptions: { value: string; label: string }[];
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const kind = Form.useWatch('kind', form) as string | undefined;
  useEffect(() => {
    if (open) form.resetFields();
  }, [open, form]);
  const create = useMutation({
    mutationFn: (v: Record<string, unknown>) =>
      api(sourceCreated, '/api/v1/sources', {
        method: 'POST',
        // empty fields are left out (an HTTP source has no host, a database no address)
        body: {
          ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== null && x !== '')),
          mapping: {},
        },
      }),
    onSuccess: () => {
      onClose();
      void qc.invalidateQueries({ queryKey: ['sources'] });
    },
    onError: (e) =>
      showProblem(form, e, (s) => void message.error(s), [
        'name',
        'resourceId',
        'kind',
        'host',
        'port',
        'database',
        'user',
        'password',
        'table',
        'query',
        'url',
        'recordsPath',
        'pageParam',
        'pageStart',
        'sizeParam',
        'pageSize',
        'sinceParam',
        'secretHeader',
        'mode',
        'watermark',
        'schedule',
      ]),
  });
  return (
    <Modal
      open={open}
      title={t('ingest.newSource')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={create.isPending}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      destroyOnHidden
      forceRender
      width={640}
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => create.mutate(v)}
        initialValues={{ kind: 'postgres', port: 5432, mode: 'full' }}
      >
        <Form.Item name="name" label={t('ingest.name')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="resourceId" label={t('ingest.resource')} rules={[{ required: true }]}>
          <Select options={resOptions} />
        </Form.Item>
        <Form.Item name="kind" label={t('ingest.kind')}>
          <Select
            style={{ width: 200 }}
            options={[
              { value: 'postgres', label: 'PostgreSQL' },
              { value: 'mysql', label: 'MySQL / MariaDB' },
              { value: 'http', label: 'HTTP JSON API' },
            ]}
          />
        </Form.Item>
        {kind === 'http' ? (
          <>
            <Form.Item name="url" label={t('ingest.url')} rules={[{ required: true }]}>
              <Input className="gs-mono" placeholder="https://…/api/list" />
            </Form.Item>
            <Space wrap>
              <Form.Item name="recordsPath" label={t('ingest.recordsPath')}>
                <Input className="gs-mono" placeholder="data.list" style={{ width: 140 }} />
              </Form.Item>
              <Form.Item name="pageParam" label={t('ingest.pageParam')}>
                <Input className="gs-mono" placeholder="page" style={{ width: 110 }} />
              </Form.Item>
              <Form.Item name="pageStart" label={t('ingest.pageStart')}>
                <InputNumber min={0} placeholder="1" />
              </Form.Item>
              <Form.Item name="sizeParam" label={t('ingest.sizeParam')}>
                <Input className="gs-mono" placeholder="pageSize" style={{ width: 110 }} />
              </Form.Item>
              <Form.Item name="pageSize" label={t('ingest.pageSize')}>
                <InputNumber min={1} max={10000} />
              </Form.Item>
            </Space>
            <Space wrap>
              <Form.Item name="secretHeader" label={t('ingest.secretHeader')}>
                <Input className="gs-mono" placeholder="Authorization" style={{ width: 160 }} />
              </Form.Item>
              <Form.Item name="password" label={t('ingest.secret')}>
                <Input.Password autoComplete="new-password" style={{ width: 240 }} />
              </Form.Item>
              <Form.Item name="sinceParam" label={t('ingest.sinceParam')}>
                <Input className="gs-mono" placeholder="since" style={{ width: 110 }} />
              </Form.Item>
            </Space>
          </>
        ) : (
          <>
            <Space wrap>
              <Form.Item name="host" label={t('ingest.host')} rules={[{ required: true }]}>
                <Input style={{ width: 200 }} />
              </Form.Item>
              <Form.Item name="port" label={t('ingest.port')} rules={[{ required: true }]}>
                <InputNumber min={1} max={65535} />
              </Form.Item>
              <Form.Item name="database" label={t('ingest.database')} rules={[{ required: true }]}>
                <Input />
              </Form.Item>
            </Space>
            <Space wrap>
              <Form.Item name="user" label={t('ingest.user')} rules={[{ required: true }]}>
                <Input autoComplete="off" />
              </Form.Item>
              <Form.Item name="password" label={t('ingest.password')}>
                <Input.Password autoComplete="new-password" />
              </Form.Item>
            </Space>
            <Form.Item name="table" label={t('ingest.table')}>
              <Input className="gs-mono" />
            </Form.Item>
            <Form.Item name="query" label={t('ingest.query')}>
              <Input.TextArea rows={2} className="gs-mono" />
            </Form.Item>
          </>
        )}
        <Space wrap>
          <Form.Item name="mode" label={t('ingest.mode')}>
            <Select
              style={{ width: 200 }}
              options={(['full', 'upsert', 'incremental'] as const).map((m) => ({
                value: m,
                label: t(`ingest.modes.${m}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="watermark" label={t('ingest.watermark')}>
            <Input />
          </Form.Item>
          <Form.Item name="schedule" label={t('ingest.schedule')} extra="30 2 * * *">
            <Input className="gs-mono" />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}
