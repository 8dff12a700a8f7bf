import { App, Form, Input, Modal } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { okAnswer } from '../api/schemas';
import { showProblem } from '../components/forms';

export default function ChangePassword({
  open,
  onClose,
  forced = false,
}: {
  open: boolean;
  onClose: () => void;
  forced?: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ currentPassword: string; newPassword: string; repeat: string }>();
  const m = useMutation({
    mutationFn: (v: { currentPassword: string; newPassword: string }) =>
      api(okAnswer, '/api/v1/auth/password', { method: 'POST', body: v }),
    onSuccess: () => {
      void message.success(t('password.changed'));
      form.resetFields();
      onClose();
      if (forced) void qc.invalidateQueries(); // the session's user no longer must change it
    },
    onError: (e) => showProblem(form, e, (s) => void message.error(s), ['currentPassword', 'newPassword']),
  });
  return (
    <Modal
      open={open}
      title={forced ? t('password.forced') : t('header.changePassword')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={m.isPending}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      destroyOnHidden
      closable={!forced}
      maskClosable={!forced}
      keyboard={!forced}
      {...(forced && { cancelButtonProps: { style: { display: 'none' } } })}
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => m.mutate({ currentPassword: v.currentPassword, newPassword: v.newPassword })}
      >
        <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true }]}>
          <Input.Password autoComplete="current-password" autoFocus />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t('password.next')}
          extra={t('password.policy')}
          rules={[{ required: true }, { min: 10 }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="repeat"
          label={t('password.repeat')}
          dependencies={['newPassword']}
          rules={[
            { required: true },
            ({ getFieldValue }) => ({
              validator: (_, v) =>
                v === getFieldValue('newPassword')
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('password.mismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
