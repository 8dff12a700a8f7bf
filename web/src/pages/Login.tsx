import { useEffect } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { me } from '../api/schemas';
import { showProblem } from '../components/forms';
import { setLang } from '../i18n';

export default function Login() {
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ username: string; password: string }>();
  const next = params.get('next');
  const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
  useEffect(() => {
    document.title = `${t('login.title')} · ${t('app.name')}`;
  }, [t]);

  const m = useMutation({
    mutationFn: (v: { username: string; password: string }) =>
      api(me, '/api/v1/auth/login', { method: 'POST', body: v }),
    onSuccess: (data) => {
      qc.setQueryData(['me'], data);
      navigate(target, { replace: true });
    },
    onError: (e) => {
      form.setFieldValue('password', '');
      // the problem shows in the alert above the form; validation problems next to their field
      showProblem(form, e, () => {}, ['username', 'password']);
    },
  });

  return (
    <div className="gs-login">
      <Card>
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          {t('app.name')}{' '}
          <Typography.Text type="secondary" style={{ fontSize: 14 }}>
            {t('app.subtitle')}
          </Typography.Text>
        </Typography.Title>
        {params.get('expired') && (
          <Alert type="warning" showIcon title={t('login.expired')} style={{ marginBottom: 16 }} />
        )}
        {m.error && (
          <Alert
            type="error"
            showIcon
            title={(m.error as Error).message}
            style={{ marginBottom: 16 }}
            data-testid="login-error"
          />
        )}
        <Form form={form} layout="vertical" onFinish={(v) => m.mutate(v)} requiredMark={false}>
          <Form.Item
            name="username"
            label={t('login.username')}
            rules={[{ required: true, message: t('login.usernameRequired') }]}
          >
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('login.password')}
            rules={[{ required: true, message: t('login.passwordRequired') }]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={m.isPending}>
            {t('login.submit')}
          </Button>
        </Form>
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginTop: 12 }}>
          <Link to="/open">{t('open.title')}</Link>
          <Button
            type="link"
            size="small"
            data-testid="lang-switch"
            onClick={() => void setLang(i18n.language === 'en-US' ? 'zh-CN' : 'en-US')}
          >
            {t('header.language')}
          </Button>
        </div>
      </Card>
    </div>
  );
}
