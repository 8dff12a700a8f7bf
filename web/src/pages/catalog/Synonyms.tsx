import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag } from 'antd';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api } from '../../api/client';
import { pageOf, synonymDto } from '../../api/schemas';
import { useServerTable } from '../../components/table';
import { showProblem } from '../../components/forms';

type Synonym = z.infer<typeof synonymDto>;
type Values = { terms: string[]; note?: string };

/** The search dictionary: groups of terms that find each other (社保 = 社会保险), edited by the administrator. */
export function Synonyms() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const table = useServerTable();
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<Synonym | 'new' | null>(null);
  const [form] = Form.useForm<Values>();
  const list = useQuery({
    queryKey: ['catalog-synonyms', table.query, q],
    queryFn: () => api(pageOf(synonymDto), '/api/v1/catalog/synonyms', { query: { ...table.query, q } }),
    placeholderData: keepPreviousData,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['catalog-synonyms'] });
  const save = useMutation({
    mutationFn: (v: Values) =>
      editing === 'new'
        ? api(synonymDto, '/api/v1/catalog/synonyms', { method: 'POST', body: v })
        : api(synonymDto, `/api/v1/catalog/synonyms/${(editing as Synonym).id}`, { method: 'PUT', body: v }),
    onSuccess: () => {
      setEditing(null);
      void refresh();
      void message.success(t('common.saved'));
    },
    onError: (e) => showProblem(form, e, (s) => void message.error(s), ['terms', 'note']),
  });
  const remove = useMutation({
    mutationFn: (id: number) => api(z.null(), `/api/v1/catalog/synonyms/${id}`, { method: 'DELETE' }),
    onSuccess: () => void refresh(),
  });
  const open = (s: Synonym | 'new') => {
    setEditing(s);
    form.setFieldsValue(s === 'new' ? { terms: [], note: '' } : { terms: s.terms, note: s.note });
  };
  return (
    <Card
      size="small"
      title={t('catalog.synonyms')}
      extra={
        <Space>
          <Input.Search
            allowClear
            size="small"
            placeholder={t('common.search')}
            aria-label={t('catalog.synonymsSearch')}
            onSearch={(v) => {
              setQ(v);
              table.resetPage();
            }}
          />
          <Button size="small" onClick={() => open('new')} data-testid="synonym-create">
            {t('catalog.synonymAdd')}
          </Button>
        </Space>
      }
    >
      <Table<Synonym>
        size="small"
        rowKey="id"
        loading={list.isFetching}
        dataSource={list.data?.items}
        pagination={table.pagination(list.data?.total, (n) => t('common.total', { total: n }))}
        onChange={table.onChange}
        locale={{ emptyText: t('common.empty') }}
        columns={[
          {
            key: 'terms',
            dataIndex: 'terms',
            title: t('catalog.synonymTerms'),
            render: (ts: string[]) => ts.map((x) => <Tag key={x}>{x}</Tag>),
          },
          { key: 'note', dataIndex: 'note', title: t('catalog.synonymNote') },
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_: unknown, s) => (
              <Space>
                <Button size="small" type="link" onClick={() => open(s)}>
                  {t('common.edit')}
                </Button>
                <Popconfirm title={t('catalog.synonymDelete')} onConfirm={() => remove.mutate(s.id)}>
                  <Button size="small" type="link" danger>
                    {t('catalog.delete')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={editing === 'new' ? t('catalog.synonymAdd') : t('common.edit')}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        confirmLoading={save.isPending}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
          <Form.Item
            name="terms"
            label={t('catalog.synonymTerms')}
            extra={t('catalog.synonymHelp')}
            rules={[{ required: true, type: 'array', min: 2 }]}
          >
            <Select
              mode="tags"
              open={false}
              tokenSeparators={[',', '，', '、', ' ']}
              aria-label={t('catalog.synonymTerms')}
            />
          </Form.Item>
          <Form.Item name="note" label={t('catalog.synonymNote')}>
            <Input maxLength={200} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
