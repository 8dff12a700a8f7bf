import { useEffect } from 'react';
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Collapse,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Spin,
  TreeSelect,
  Typography,
} from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api } from '../../api/client';
import {
  category,
  itemSuggestion,
  resourceDto,
  IDENTITY_KINDS,
  ITEM_TYPES,
  MASKS,
  OPEN_TYPES,
  SHARE_METHODS,
  SHARE_TYPES,
  UPDATE_CYCLES,
  type DataItem,
  type ResourceMeta,
} from '../../api/schemas';
import { showProblem } from '../../components/forms';

type Values = { meta: ResourceMeta; items: DataItem[] };

/** The edit form of a resource's open version (or a new resource): metadata and data items. */
export default function Edit() {
  const { id } = useParams();
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const cats = useQuery({
    queryKey: ['catalog-categories'],
    queryFn: () => api(z.array(category), '/api/v1/catalog/categories'),
  });
  const existing = useQuery({
    queryKey: ['resource', id],
    queryFn: () => api(resourceDto, `/api/v1/catalog/resources/${id}`),
    enabled: Boolean(id),
  });
  useEffect(() => {
    const v = existing.data?.open;
    if (v) form.setFieldsValue({ meta: v.meta, items: v.items });
  }, [existing.data, form]);

  const save = useMutation({
    mutationFn: (v: Values) =>
      id
        ? api(resourceDto, `/api/v1/catalog/resources/${id}`, { method: 'PUT', body: v })
        : api(resourceDto, '/api/v1/catalog/resources', { method: 'POST', body: v }),
    onSuccess: (r) => {
      void message.success(t('catalog.saved'));
      navigate(`/catalog/${r.id}`);
    },
    onError: (e) => showProblem(form, e, (s) => void message.error(s), ['meta', 'items']),
  });

  const suggest = async (n: number) => {
    const row = form.getFieldValue(['items', n]) as Partial<DataItem> | undefined;
    if (!row?.label || row.grade) return;
    const s = await api(itemSuggestion, '/api/v1/catalog/suggest-item', {
      method: 'POST',
      body: { name: row.name ?? '', label: row.label },
    });
    form.setFieldValue(['items', n], {
      ...row,
      type: row.type ?? s.type,
      length: row.length ?? s.length ?? undefined,
      precision: s.precision ?? undefined,
      scale: s.scale ?? undefined,
      grade: s.grade,
      masking: s.masking,
      identityKind: s.identityKind ?? undefined,
    });
  };

  if (id && existing.isLoading)
    return (
      <div className="gs-center">
        <Spin />
      </div>
    );
  type Node = { value: string; title: string; children: Node[] };
  const tree = (parent: string | null): Node[] =>
    (cats.data ?? [])
      .filter((c) => c.parentId === parent)
      .map((c) => ({ value: c.id, title: `${c.fullCode} ${c.name}`, children: tree(c.id) }));
  const opts = (values: readonly string[], prefix: string) =>
    values.map((v) => ({ value: v, label: t(`${prefix}.${v}`) }));

  return (
    <>
      <Typography.Title level={3} className="gs-page-title">
        {id ? `${t('catalog.edit')} · ${existing.data?.open?.meta.name ?? ''}` : t('catalog.create')}
      </Typography.Title>
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(v) =>
          save.mutate({
            meta: { ...v.meta, relatedCodes: v.meta.relatedCodes ?? [], shandong: v.meta.shandong ?? {} },
            items: v.items ?? [],
          })
        }
        initialValues={{
          meta: {
            formatClass: 3,
            shareType: 'unconditional',
            shareMethods: ['interface'],
            openType: 'none',
            updateCycle: 'daily',
            relatedCodes: [],
            shandong: {},
          },
          items: [],
        }}
        scrollToFirstError
      >
        <Card title={t('catalog.metaTitle')} size="small" style={{ marginBottom: 16 }}>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item
                name={['meta', 'name']}
                label={t('catalog.name')}
                rules={[{ required: true }, { min: 2, max: 200 }]}
              >
                <Input autoFocus />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name={['meta', 'categoryId']} label={t('catalog.category')} rules={[{ required: true }]}>
                <TreeSelect treeData={tree(null)} showSearch treeNodeFilterProp="title" treeDefaultExpandAll />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item
                name={['meta', 'summary']}
                label={t('catalog.summary')}
                rules={[{ required: true }, { max: 4000 }]}
              >
                <Input.TextArea rows={3} />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name={['meta', 'formatClass']} label={t('catalog.format')} rules={[{ required: true }]}>
                <Select
                  options={[1, 2, 3, 4, 5, 6, 7].map((n) => ({ value: n, label: t(`catalog.formatClass.${n}`) }))}
                />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name={['meta', 'formatDetail']} label={t('catalog.formatDetail')}>
                <Input />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name={['meta', 'updateCycle']} label={t('catalog.updateCycle')} rules={[{ required: true }]}>
                <Select options={opts(UPDATE_CYCLES, 'catalog.cycle')} />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name={['meta', 'shareMethods']} label={t('catalog.shareMethods')} rules={[{ required: true }]}>
                <Select mode="multiple" options={opts(SHARE_METHODS, 'catalog.method')} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name={['meta', 'shareType']} label={t('catalog.shareType')} rules={[{ required: true }]}>
                <Select options={opts(SHARE_TYPES, 'catalog.share')} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name={['meta', 'shareCondition']} label={t('catalog.shareCondition')}>
                <Input />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name={['meta', 'shareBasis']} label={t('catalog.shareBasis')}>
                <Input />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name={['meta', 'openType']} label={t('catalog.openType')} rules={[{ required: true }]}>
                <Select options={opts(OPEN_TYPES, 'catalog.openT')} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name={['meta', 'openCondition']} label={t('catalog.openCondition')}>
                <Input />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name={['meta', 'relatedCodes']} label={t('catalog.relatedCodes')}>
                <Select mode="tags" tokenSeparators={[',', '，', ' ']} />
              </Form.Item>
            </Col>
          </Row>
          <Collapse
            size="small"
            items={[
              {
                key: 'sd',
                label: t('catalog.shandong'),
                children: (
                  <Row gutter={16}>
                    {(
                      [
                        'identifier',
                        'managementMode',
                        'serviceInfo',
                        'onlineUrl',
                        'metadataMaintainer',
                        'metadataVersion',
                      ] as const
                    ).map((k) => (
                      <Col xs={24} md={8} key={k}>
                        <Form.Item name={['meta', 'shandong', k]} label={t(`catalog.${k}`)}>
                          <Input />
                        </Form.Item>
                      </Col>
                    ))}
                  </Row>
                ),
              },
            ]}
          />
        </Card>
        <Card title={t('catalog.items')} size="small">
          <Form.List name="items">
            {(fields, { add, remove }) => (
              <>
                {fields.map(({ key, name }) => (
                  <Space
                    key={key}
                    align="start"
                    wrap
                    style={{ display: 'flex', borderBottom: '1px solid #f0f0f0', paddingTop: 8 }}
                  >
                    <Form.Item
                      name={[name, 'name']}
                      label={t('catalog.itemName')}
                      rules={[{ required: true }, { pattern: /^[a-z][a-z0-9_]{0,62}$/ }]}
                    >
                      <Input style={{ width: 120 }} className="gs-mono" />
                    </Form.Item>
                    <Form.Item name={[name, 'label']} label={t('catalog.itemLabel')} rules={[{ required: true }]}>
                      <Input style={{ width: 150 }} onBlur={() => void suggest(name)} />
                    </Form.Item>
                    <Form.Item name={[name, 'type']} label={t('catalog.itemType')} rules={[{ required: true }]}>
                      <Select style={{ width: 110 }} options={opts(ITEM_TYPES, 'catalog.type')} />
                    </Form.Item>
                    <Form.Item name={[name, 'length']} label={t('catalog.length')}>
                      <InputNumber min={1} max={10000} style={{ width: 80 }} />
                    </Form.Item>
                    <Form.Item name={[name, 'precision']} label={t('catalog.precision')}>
                      <InputNumber min={1} max={38} style={{ width: 70 }} />
                    </Form.Item>
                    <Form.Item name={[name, 'scale']} label={t('catalog.scale')}>
                      <InputNumber min={0} max={18} style={{ width: 70 }} />
                    </Form.Item>
                    <Form.Item name={[name, 'codeTable']} label={t('catalog.codeTable')}>
                      <Input style={{ width: 100 }} />
                    </Form.Item>
                    <Form.Item
                      name={[name, 'primaryKey']}
                      label={t('catalog.primaryKey')}
                      valuePropName="checked"
                      initialValue={false}
                    >
                      <Checkbox />
                    </Form.Item>
                    <Form.Item
                      name={[name, 'incremental']}
                      label={t('catalog.incremental')}
                      valuePropName="checked"
                      initialValue={false}
                    >
                      <Checkbox />
                    </Form.Item>
                    <Form.Item name={[name, 'identityKind']} label={t('catalog.identityKind')}>
                      <Select allowClear style={{ width: 150 }} options={opts(IDENTITY_KINDS, 'catalog.identity')} />
                    </Form.Item>
                    <Form.Item name={[name, 'grade']} label={t('catalog.grade')} rules={[{ required: true }]}>
                      <Select style={{ width: 70 }} options={[1, 2, 3, 4].map((g) => ({ value: g, label: g }))} />
                    </Form.Item>
                    <Form.Item name={[name, 'masking']} label={t('catalog.masking')} initialValue="none">
                      <Select style={{ width: 130 }} options={opts(MASKS, 'catalog.mask')} />
                    </Form.Item>
                    <Form.Item label=" ">
                      <Button icon={<DeleteOutlined />} onClick={() => remove(name)} aria-label={t('catalog.remove')} />
                    </Form.Item>
                  </Space>
                ))}
                <Form.ErrorList errors={[]} />
                <Button
                  type="dashed"
                  icon={<PlusOutlined />}
                  onClick={() => add({ primaryKey: false, incremental: false, masking: 'none' })}
                  style={{ marginTop: 8 }}
                  data-testid="item-add"
                >
                  {t('catalog.addItem')}
                </Button>
              </>
            )}
          </Form.List>
        </Card>
        <Space style={{ marginTop: 16 }}>
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="resource-save">
            {t('common.save')}
          </Button>
          <Button onClick={() => navigate(-1)}>{t('common.cancel')}</Button>
        </Space>
      </Form>
    </>
  );
}
