/**
 * Raise an objection: the resource (from the page it was opened on, or searched), the record by its
 * key, the item, the right value.
 */
import { useState } from 'react';
import { App, Button, Form, Input, Select } from 'antd';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { resourceDto, searchResult } from '../../api/schemas';
import { objectionCreated } from '../../api/objection';
import { showProblem } from '../../components/forms';

/** Raise an objection: the resource (from the page it was opened on, or searched), the record by its key, the item, the right value. */
export function RaiseForm({
  resourceId: initial,
  onDone,
}: {
  resourceId: string | null;
  onDone: (id: number) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [resourceId, setResourceId] = useState<string | null>(initial);
  const [q, setQ] = useState('');
  const search = useQuery({
    queryKey: ['objection-res', q],
    queryFn: () => api(searchResult, '/api/v1/catalog/search', { query: { q, pageSize: 20 } }),
  });
  const res = useQuery({
    queryKey: ['objection-res-items', resourceId],
    queryFn: () => api(resourceDto, `/api/v1/catalog/resources/${resourceId}`),
    enabled: !!resourceId,
  });
  const items = res.data?.published?.items ?? [];
  const keys = items.filter((i) => i.primaryKey);
  const raise = useMutation({
    mutationFn: (v: Record<string, string | undefined>) =>
      api(objectionCreated, '/api/v1/objections', {
        method: 'POST',
        body: {
          resourceId,
          description: v.description,
          ...(v.field && { field: v.field }),
          ...(v.proposedValue && { proposedValue: v.proposedValue }),
          ...(keys.length &&
            keys.some((k) => v[`key_${k.name}`]) && {
              recordKey: Object.fromEntries(keys.map((k) => [k.name, v[`key_${k.name}`] ?? ''])),
            }),
        },
      }),
    onSuccess: (r) => {
      form.resetFields();
      void message.success(t('objection.raised'));
      onDone(r.id);
    },
    onError: (e) => showProblem(form, e, (s) => void message.error(s), ['description', 'field', 'proposedValue']),
  });
  return (
    <Form form={form} layout="vertical" onFinish={(v) => raise.mutate(v)} data-testid="objection-form">
      <Form.Item label={t('objection.resource')} required>
        <Select
          showSearch
          value={resourceId ?? undefined}
          onSearch={setQ}
          filterOption={false}
          onChange={(v) => setResourceId(v)}
          data-testid="objection-resource"
          options={[
            ...(res.data?.published && !search.data?.items.some((r) => r.id === resourceId)
              ? [{ value: res.data.id, label: res.data.published.meta.name }]
              : []),
            ...(search.data?.items ?? []).map((r) => ({ value: r.id, label: `${r.name} · ${r.departmentName}` })),
          ]}
        />
      </Form.Item>
      {keys.map((k) => (
        <Form.Item
          key={k.name}
          name={`key_${k.name}`}
          label={`${t('objection.recordKey')}：${k.label}`}
          extra={t('objection.keyHint')}
        >
          <Input data-testid={`objection-key-${k.name}`} />
        </Form.Item>
      ))}
      <Form.Item name="field" label={t('objection.field')}>
        <Select
          allowClear
          data-testid="objection-field"
          options={items.filter((i) => !i.primaryKey).map((i) => ({ value: i.name, label: `${i.label}（${i.name}）` }))}
        />
      </Form.Item>
      <Form.Item name="proposedValue" label={t('objection.proposed')}>
        <Input data-testid="objection-proposed" />
      </Form.Item>
      <Form.Item name="description" label={t('objection.description')} rules={[{ required: true, min: 4 }]}>
        <Input.TextArea rows={3} data-testid="objection-description" />
      </Form.Item>
      <Button
        type="primary"
        htmlType="submit"
        loading={raise.isPending}
        disabled={!resourceId}
        data-testid="objection-submit"
      >
        {t('objection.submit')}
      </Button>
    </Form>
  );
}
