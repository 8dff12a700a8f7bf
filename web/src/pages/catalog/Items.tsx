import { Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { DataItem } from '../../api/schemas';
import { gradeColor } from './labels';

export default function Items({ items }: { items: DataItem[] }) {
  const { t } = useTranslation();
  return (
    <Table<DataItem>
      rowKey="name"
      size="small"
      pagination={false}
      dataSource={items}
      scroll={{ x: true }}
      columns={[
        {
          key: 'name',
          dataIndex: 'name',
          title: t('catalog.itemName'),
          render: (v: string) => <span className="gs-mono">{v}</span>,
        },
        { key: 'label', dataIndex: 'label', title: t('catalog.itemLabel') },
        {
          key: 'type',
          title: t('catalog.itemType'),
          render: (_: unknown, i) =>
            `${t(`catalog.type.${i.type}`)}${i.type === 'decimal' ? `(${i.precision ?? 18},${i.scale ?? 0})` : i.length ? `(${i.length})` : ''}${i.codeTable ? ` · ${i.codeTable}` : ''}`,
        },
        {
          key: 'flags',
          title: t('catalog.primaryKey'),
          render: (_: unknown, i) => (
            <>
              {i.primaryKey && <Tag color="blue">{t('catalog.primaryKey')}</Tag>}
              {i.incremental && <Tag>{t('catalog.incremental')}</Tag>}
            </>
          ),
        },
        {
          key: 'identityKind',
          dataIndex: 'identityKind',
          title: t('catalog.identityKind'),
          render: (v?: string | null) => (v ? <Tag color="purple">{t(`catalog.identity.${v}`)}</Tag> : ''),
        },
        {
          key: 'grade',
          dataIndex: 'grade',
          title: t('catalog.grade'),
          render: (g: number) => <Tag color={gradeColor(g)}>{g}</Tag>,
        },
        {
          key: 'masking',
          dataIndex: 'masking',
          title: t('catalog.masking'),
          render: (m: string) => t(`catalog.mask.${m}`),
        },
      ]}
    />
  );
}
