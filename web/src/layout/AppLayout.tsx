import { useState, type ReactNode } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { Button, Dropdown, Layout, Menu, Result, Space, Tag, Typography } from 'antd';
import {
  AlertOutlined,
  BulbOutlined,
  NotificationOutlined,
  ApiOutlined,
  AuditOutlined,
  BookOutlined,
  CheckSquareOutlined,
  CloudUploadOutlined,
  SafetyCertificateOutlined,
  ShareAltOutlined,
  FormOutlined,
  CalendarOutlined,
  DownOutlined,
  HomeOutlined,
  KeyOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { okAnswer } from '../api/schemas';
import { useSession, can } from '../auth/session';
import { setLang } from '../i18n';
import type { Role } from '../api/schemas';
import ChangePassword from './ChangePassword';
import Bell from './Bell';

const { Header, Sider, Content } = Layout;

/** The menu, each entry shown only to the roles that may use it. */
const ITEMS: { key: string; icon: ReactNode; roles: Role[] }[] = [
  { key: '/', icon: <HomeOutlined />, roles: ['admin', 'officer', 'consumer', 'auditor'] },
  { key: '/catalog', icon: <BookOutlined />, roles: ['admin', 'officer', 'consumer', 'auditor'] },
  { key: '/catalog/manage', icon: <FormOutlined />, roles: ['admin', 'officer', 'auditor'] },
  { key: '/catalog/review', icon: <CheckSquareOutlined />, roles: ['admin'] },
  { key: '/ingest', icon: <CloudUploadOutlined />, roles: ['admin', 'officer', 'auditor'] },
  { key: '/governance', icon: <SafetyCertificateOutlined />, roles: ['admin', 'officer', 'auditor'] },
  { key: '/share', icon: <ShareAltOutlined />, roles: ['admin', 'officer', 'consumer', 'auditor'] },
  { key: '/objections', icon: <AlertOutlined />, roles: ['admin', 'officer', 'consumer', 'auditor'] },
  { key: '/demands', icon: <BulbOutlined />, roles: ['admin', 'officer', 'consumer', 'auditor'] },
  { key: '/notifications', icon: <NotificationOutlined />, roles: ['admin', 'officer', 'consumer', 'auditor'] },
  { key: '/departments', icon: <ApiOutlined />, roles: ['admin'] },
  { key: '/users', icon: <TeamOutlined />, roles: ['admin', 'officer', 'auditor'] },
  { key: '/credentials', icon: <KeyOutlined />, roles: ['admin', 'officer', 'consumer'] },
  { key: '/audit', icon: <AuditOutlined />, roles: ['admin', 'auditor', 'officer'] },
  { key: '/calendar', icon: <CalendarOutlined />, roles: ['admin', 'officer', 'consumer', 'auditor'] },
];
const LABEL: Record<string, string> = {
  '/objections': 'objections',
  '/demands': 'demands',
  '/notifications': 'notifications',
  '/ingest': 'ingest',
  '/governance': 'governance',
  '/share': 'share',
  '/catalog': 'catalog',
  '/catalog/manage': 'catalogManage',
  '/catalog/review': 'catalogReview',
  '/': 'home',
  '/departments': 'departments',
  '/users': 'users',
  '/credentials': 'credentials',
  '/audit': 'audit',
  '/calendar': 'calendar',
};

export function menuFor(roles: Role[]) {
  return ITEMS.filter((i) => can(roles, ...i.roles));
}

/** Whether the roles may open a page (by its first path segment), typed URL or not. */
export function mayOpen(path: string, roles: Role[]): boolean {
  const item = ITEMS.find((i) => i.key === path);
  return !item || can(roles, ...item.roles);
}

export default function AppLayout({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const { data } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [pwOpen, setPwOpen] = useState(false);
  if (!data) return null;
  const { user, node } = data;
  // the menu entry is the longest key the path starts with (/catalog/manage before /catalog)
  const selected =
    ITEMS.map((i) => i.key)
      .filter((k) => k !== '/' && (location.pathname === k || location.pathname.startsWith(`${k}/`)))
      .sort((a, b) => b.length - a.length)[0] ?? '/' + (location.pathname.split('/')[1] ?? '');

  const logout = async () => {
    await api(okAnswer, '/api/v1/auth/logout', { method: 'POST' }).catch(() => null);
    qc.clear();
    navigate('/login', { replace: true });
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Sider breakpoint="lg" collapsedWidth={64} width={208}>
        <div className="gs-brand">
          {t('app.name')} · {node.name}
        </div>
        <nav aria-label={t('app.subtitle')}>
          <Menu
            theme="dark"
            mode="inline"
            selectedKeys={[selected]}
            items={menuFor(user.roles).map((i) => ({
              key: i.key,
              icon: i.icon,
              label: <Link to={i.key}>{t(`menu.${LABEL[i.key]}`)}</Link>,
            }))}
          />
        </nav>
      </Sider>
      <Layout>
        <Header className="gs-header">
          <Space>
            <Typography.Text strong data-testid="node-name">
              {node.name}
            </Typography.Text>
            <Tag color="blue">{t(`level.${node.level}`)}</Tag>
            <Typography.Text type="secondary">{t('app.subtitle')}</Typography.Text>
          </Space>
          <Space>
            <Bell />
            <Button
              type="text"
              data-testid="lang-switch"
              onClick={() => void setLang(i18n.language === 'en-US' ? 'zh-CN' : 'en-US')}
            >
              {t('header.language')}
            </Button>
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  { key: 'pw', label: t('header.changePassword'), onClick: () => setPwOpen(true) },
                  { type: 'divider' },
                  { key: 'logout', label: t('header.logout'), onClick: () => void logout() },
                ],
              }}
            >
              <Button type="text" data-testid="user-menu">
                <UserOutlined /> {user.displayName} · {user.departmentName} <DownOutlined />
              </Button>
            </Dropdown>
          </Space>
        </Header>
        <Content style={{ margin: 20 }}>
          <main>
            {mayOpen(selected, user.roles) ? (
              children
            ) : (
              <Result
                status="403"
                title="403"
                subTitle={t('errors.forbidden')}
                extra={
                  <Link to="/">
                    <Button type="primary">{t('errors.back')}</Button>
                  </Link>
                }
              />
            )}
          </main>
        </Content>
      </Layout>
      {/* an initial or reset password: the API refuses everything else until it is changed */}
      <ChangePassword
        open={pwOpen || user.mustChangePassword}
        forced={user.mustChangePassword}
        onClose={() => setPwOpen(false)}
      />
    </Layout>
  );
}
