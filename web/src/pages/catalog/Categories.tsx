import { useState } from 'react';
import { App, Button, Card, Col, Form, Input, Result, Row, Space, Tree, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api } from '../../api/client';
import { category, catalogSettings } from '../../api/schemas';
import { can, useSession } from '../../auth/session';
import { showProblem } from '../../components/forms';
import { Synonyms } from './Synonyms';

const settings = catalogSettings;
type Category = z.infer<typeof category>;

/** The classification tree (类/项/目/细目) and the node's resource code format, for administrators. */
export default function Categories() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { data: session } = useSession();
  const [selected, setSelected] = useState<Category | null>(null);
  const [addForm] = Form.useForm<{ code: string; name: string }>();
  const [renameForm] = Form.useForm<{ name: string }>();
  const [fmtForm] = Form.useForm<{ resourceCodeFormat: string }>();
  const cats = useQuery({
    queryKey: ['catalog-categories'],
    queryFn: () => api(z.array(category), '/api/v1/catalog/categories'),
  });
  const fmt = useQuery({ queryKey: ['catalog-settings'], queryFn: () => api(settings, '/api/v1/catalog/settings') });
  const refresh = () => qc.invalidateQueries({ queryKey: ['catalog-categories'] });
  const add = useMutation({
    mutationFn: (v: { code: string; name: string }) =>
      api(category, '/api/v1/catalog/categories', { method: 'POST', body: { parentId: selected?.id ?? null, ...v } }),
    onSuccess: () => {
      addForm.resetFields();
      void refresh();
      void message.success(t('catalog.saved'));
    },
    onError: (e) => showProblem(addForm, e, (s) => void message.error(s), ['code', 'name']),
  });
  const rename = useMutation({
    mutationFn: (v: { name: string }) =>
      api(category, `/api/v1/catalog/categories/${selected!.id}`, { method: 'PATCH', body: v }),
    onSuccess: () => {
      void refresh();
      void message.success(t('catalog.saved'));
    },
    onError: (e) => showProblem(renameForm, e, (s) => void message.error(s), ['name']),
  });
  const saveFmt = useMutation({
    mutationFn: (v: { resourceCodeFormat: string }) =>
      api(settings, '/api/v1/catalog/settings', { method: 'PUT', body: v }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['catalog-settings'] });
      void message.success(t('catalog.saved'));
    },
    onError: (e) => showProblem(fmtForm, e, (s) => void message.error(s), ['resourceCodeFormat']),
  });
  if (!can(session!.user.roles, 'admin')) return <Result status="403" title="403" subTitle={t('errors.forbidden')} />;
  type Node = { key: string; title: string; children: Node[] };
  const tree = (parent: string | null): Node[] =>
    (cats.data ?? [])
      .filter((c) => c.parentId === parent)
      .map((c) => ({ key: c.id, title: `${c.fullCode} ${c.name}`, children: tree(c.id) }));
  return (
    <>
      <Typography.Title level={3} className="gs-page-title">
        {t('catalog.categories')}
      </Typography.Title>
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card size="small">
            {cats.data && (
              <Tree
                key={cats.data.length}
                treeData={tree(null)}
                defaultExpandAll
                onSelect={(keys) => {
                  const c = cats.data.find((x) => x.id === keys[0]) ?? null;
                  setSelected(c);
                  renameForm.setFieldsValue({ name: c?.name ?? '' });
                }}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Space direction="vertical" style={{ width: '100%' }}>
            <Card
              size="small"
              title={`${t('catalog.addChild')}${selected ? ` · ${selected.fullCode} ${selected.name}` : ` · ${t('catalog.topLevel')}`}`}
            >
              <Form form={addForm} layout="inline" onFinish={(v) => add.mutate(v)}>
                <Form.Item
                  name="code"
                  label={t('catalog.categoryCode')}
                  rules={[{ required: true }, { pattern: /^\d{1,4}$/ }]}
                >
                  <Input style={{ width: 90 }} />
                </Form.Item>
                <Form.Item name="name" label={t('catalog.categoryName')} rules={[{ required: true }]}>
                  <Input style={{ width: 180 }} />
                </Form.Item>
                <Button type="primary" htmlType="submit" loading={add.isPending}>
                  {t('common.create')}
                </Button>
              </Form>
            </Card>
            {selected && (
              <Card size="small" title={`${t('common.edit')} · ${selected.fullCode}`}>
                <Form form={renameForm} layout="inline" onFinish={(v) => rename.mutate(v)}>
                  <Form.Item name="name" label={t('catalog.categoryName')} rules={[{ required: true }]}>
                    <Input style={{ width: 220 }} />
                  </Form.Item>
                  <Button htmlType="submit" loading={rename.isPending}>
                    {t('common.save')}
                  </Button>
                </Form>
              </Card>
            )}
            <Card size="small" title={t('catalog.codeFormat')}>
              {fmt.data && (
                <Form form={fmtForm} layout="inline" initialValues={fmt.data} onFinish={(v) => saveFmt.mutate(v)}>
                  <Form.Item
                    name="resourceCodeFormat"
                    extra="{category}/{seq:6} → 3070100100/000123"
                    rules={[{ required: true }]}
                  >
                    <Input style={{ width: 240 }} className="gs-mono" />
                  </Form.Item>
                  <Button htmlType="submit" loading={saveFmt.isPending}>
                    {t('common.save')}
                  </Button>
                </Form>
              )}
            </Card>
          </Space>
        </Col>
      </Row>
      <div style={{ marginTop: 16 }}>
        <Synonyms />
      </div>
    </>
  );
}
