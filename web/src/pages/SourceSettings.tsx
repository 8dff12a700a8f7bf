import { Alert, App, Form, Input, Modal, Select } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api } from '../api/client';
import { showProblem } from '../components/forms';

export interface SettingsSource {
  id: string;
  name: string;
  mode: string;
  watermarkColumn: string | null;
}

/** 数据源设置: rename a source or switch its mode (incremental only with a watermark column; a mode change resets the stored watermark). */
export default function SourceSettings({
  source,
  onClose,
  onSaved,
}: {
  source: SettingsSource | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string; mode: string }>();
  const mode = Form.useWatch('mode', form);
  const save = useMutation({
    mutationFn: (v: { name: string; mode: string }) =>
      api(z.undefined(), `/api/v1/sources/${source!.id}`, { method: 'PATCH', body: { name: v.name, mode: v.mode } }),
    onSuccess: () => {
      void message.success(t('ingest.saved'));
      onSaved();
      onClose();
    },
    onError: (e) => showProblem(form, e, (s) => void message.error(s), ['name', 'mode']),
  });
  return (
    <Modal
      open={source !== null}
      title={t('ingest.settings')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      destroyOnHidden
    >
      <Form
        form={form}
        key={source?.id}
        name="sourceSettings"
        layout="vertical"
        initialValues={{ name: source?.name, mode: source?.mode }}
        onFinish={(v) => save.mutate(v)}
        data-testid="source-settings"
      >
        <Form.Item name="name" label={t('ingest.name')} rules={[{ required: true, min: 2, max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item
          name="mode"
          label={t('ingest.mode')}
          extra={
            source?.watermarkColumn ? `${t('ingest.watermark')}: ${source.watermarkColumn}` : t('ingest.noWatermark')
          }
        >
          <Select
            aria-label={t('ingest.mode')}
            options={(['full', 'upsert', 'incremental'] as const).map((m) => ({
              value: m,
              label: t(`ingest.modes.${m}`),
              disabled: m === 'incremental' && !source?.watermarkColumn,
            }))}
          />
        </Form.Item>
        {source && mode && mode !== source.mode && <Alert type="warning" showIcon title={t('ingest.modeResets')} />}
      </Form>
    </Modal>
  );
}
