/** Shows a secret (an initial password, an app secret) once, with a copy button. */
import { Alert, App, Button, Descriptions, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

export default function SecretOnce({
  open,
  title,
  hint,
  items,
  onClose,
}: {
  open: boolean;
  title: string;
  hint: string;
  items: { label: string; value: string }[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      footer={
        <Button type="primary" onClick={onClose}>
          {t('common.close')}
        </Button>
      }
      maskClosable={false}
    >
      <Alert type="warning" showIcon title={hint} style={{ marginBottom: 16 }} />
      <Descriptions column={1} bordered size="small">
        {items.map((i) => (
          <Descriptions.Item key={i.label} label={i.label}>
            <Typography.Text
              className="gs-mono"
              data-testid={`secret-${i.label}`}
              copyable={{ onCopy: () => void message.success(t('common.copied')), text: i.value }}
            >
              {i.value}
            </Typography.Text>
          </Descriptions.Item>
        ))}
      </Descriptions>
    </Modal>
  );
}
