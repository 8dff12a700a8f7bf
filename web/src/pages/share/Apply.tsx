import { App, Checkbox, DatePicker, Form, Input, InputNumber, Modal, Select, Space } from 'antd';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { api } from '../../api/client';
import { appCredential, pageOf } from '../../api/schemas';
import { applicationCreated } from '../../api/sharing';
import { showProblem } from '../../components/forms';

interface Item {
  name: string;
  label: string;
  grade: number;
}

/** 一站式申请 from a resource's page: least-necessary fields, services, purpose, basis, scenario, period, volume. */
export default function Apply({
  open,
  resourceId,
  items,
  shareType,
  onClose,
  onDone,
}: {
  open: boolean;
  resourceId: string;
  items: Item[];
  shareType: string;
  onClose: () => void;
  onDone: (id: number) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const creds = useQuery({
    queryKey: ['my-credentials'],
    queryFn: () => api(pageOf(appCredential), '/api/v1/app-credentials', { query: { pageSize: 100 } }),
    enabled: open,
  });
  const onlyNoRows = shareType === 'none';
  const submit = useMutation({
    mutationFn: (v: {
      fields: string[];
      services: string[];
      appCredentialId: string;
      purpose: string;
      legalBasis: string;
      scenario: string;
      period: [Dayjs, Dayjs];
      expectedCalls: number;
      rowItem?: string;
      rowValues?: string[];
    }) =>
      api(applicationCreated, '/api/v1/share/applications', {
        method: 'POST',
        body: {
          resourceId,
          fields: v.fields,
          services: v.services,
          appCredentialId: v.appCredentialId,
          purpose: v.purpose,
          legalBasis: v.legalBasis,
          scenario: v.scenario,
          periodFrom: v.period[0].format('YYYY-MM-DD'),
          periodTo: v.period[1].format('YYYY-MM-DD'),
          expectedCalls: v.expectedCalls,
          ...(v.rowItem && v.rowValues?.length && { rowFilter: { item: v.rowItem, values: v.rowValues } }),
        },
      }),
    onSuccess: (r) => {
      void message.success(t('share.submitted'));
      onDone(r.id);
    },
    onError: (e) =>
      showProblem(form, e, (s) => void message.error(s), [
        'fields',
        'services',
        'appCredentialId',
        'purpose',
        'legalBasis',
        'scenario',
        'periodTo',
        'expectedCalls',
        'rowFilter.item',
        'rowFilter.values',
      ]),
  });
  const services = ['query', 'verify', 'statistics', 'file', 'push'].filter(
    (s) => !onlyNoRows || s === 'verify' || s === 'statistics',
  );
  return (
    <Modal
      open={open}
      title={t('share.apply')}
      width={720}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={submit.isPending}
      okText={t('share.submit')}
      cancelText={t('common.cancel')}
      destroyOnHidden
      forceRender
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => submit.mutate(v)}
        initialValues={{ services: ['query'], expectedCalls: 1000 }}
      >
        <Form.Item
          name="fields"
          label={t('share.fields')}
          extra={t('share.leastNecessary')}
          rules={[{ required: true }]}
        >
          <Checkbox.Group
            options={items.map((i) => ({
              value: i.name,
              label: `${i.label}${i.grade >= 2 ? `（${t('share.grade', { grade: i.grade })}）` : ''}`,
            }))}
          />
        </Form.Item>
        <Form.Item
          name="services"
          label={t('share.services')}
          extra={onlyNoRows ? t('share.onlyNoRows') : undefined}
          rules={[{ required: true }]}
        >
          <Checkbox.Group options={services.map((s) => ({ value: s, label: t(`share.serviceTypes.${s}`) }))} />
        </Form.Item>
        <Form.Item name="appCredentialId" label={t('share.credential')} rules={[{ required: true }]}>
          <Select
            options={(creds.data?.items ?? [])
              .filter((c) => c.status === 'active')
              .map((c) => ({ value: c.id, label: `${c.name} (${c.appKey})` }))}
          />
        </Form.Item>
        <Form.Item name="purpose" label={t('share.purpose')} rules={[{ required: true, min: 4 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item name="legalBasis" label={t('share.legalBasis')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="scenario" label={t('share.scenario')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="period" label={t('share.period')} rules={[{ required: true }]}>
          <DatePicker.RangePicker />
        </Form.Item>
        <Form.Item name="expectedCalls" label={t('share.expectedCalls')} rules={[{ required: true }]}>
          <InputNumber min={1} style={{ width: 200 }} />
        </Form.Item>
        {/* 行范围: only the rows whose item holds one of the values (e.g. 所属区县 ∈ {张店区}); empty asks for all rows */}
        <Form.Item label={t('share.rowScope')} extra={t('share.rowScopeHint')} style={{ marginBottom: 0 }}>
          <Space.Compact style={{ width: '100%' }}>
            <Form.Item name="rowItem" noStyle>
              <Select
                allowClear
                style={{ width: '40%' }}
                placeholder={t('share.rowItem')}
                aria-label={t('share.rowItem')}
                options={items.map((i) => ({ value: i.name, label: `${i.label}（${i.name}）` }))}
              />
            </Form.Item>
            <Form.Item
              name="rowValues"
              noStyle
              dependencies={['rowItem']}
              rules={[
                ({ getFieldValue }) => ({
                  validator: (_, v: string[] | undefined) =>
                    getFieldValue('rowItem') && !v?.length
                      ? Promise.reject(new Error(t('share.rowValuesNeeded')))
                      : Promise.resolve(),
                }),
              ]}
            >
              <Select
                mode="tags"
                style={{ width: '60%' }}
                placeholder={t('share.rowValues')}
                aria-label={t('share.rowValues')}
                tokenSeparators={[',', '，', '、']}
                open={false}
              />
            </Form.Item>
          </Space.Compact>
        </Form.Item>
      </Form>
    </Modal>
  );
}
