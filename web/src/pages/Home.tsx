import { lazy, Suspense } from 'react';
import { Card, Col, Empty, Row, Skeleton, Statistic, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { appCredential, department, pageOf, user, activityAnswer } from '../api/schemas';
import { can, useSession } from '../auth/session';
import { fmtNumber } from '../i18n';

// ECharts is loaded after the figures, so the first screen does not wait for it
const Chart = lazy(() => import('../components/Chart'));

const activity = activityAnswer;

function useTotal(key: string, enabled: boolean, fn: () => Promise<{ total: number }>) {
  return useQuery({ queryKey: ['total', key], queryFn: fn, enabled, select: (d) => d.total });
}

/** An overview for each role: the bureau sees the whole node, everyone else their department. */
export default function Home() {
  const { t, i18n } = useTranslation();
  const { data: session } = useSession();
  const roles = session!.user.roles;
  const isAdmin = can(roles, 'admin');
  const seesAudit = can(roles, 'admin', 'auditor', 'officer');
  const departments = useTotal('departments', isAdmin, () =>
    api(pageOf(department), '/api/v1/departments', { query: { pageSize: 1 } }),
  );
  const users = useTotal('users', can(roles, 'admin', 'officer', 'auditor'), () =>
    api(pageOf(user), '/api/v1/users', { query: { pageSize: 1 } }),
  );
  const creds = useTotal('credentials', can(roles, 'admin', 'officer', 'consumer'), () =>
    api(pageOf(appCredential), '/api/v1/app-credentials', { query: { pageSize: 1 } }),
  );
  const act = useQuery({
    queryKey: ['audit-activity'],
    queryFn: () => api(activity, '/api/v1/audit/activity', { query: { days: 30 } }),
    enabled: seesAudit,
  });

  const days: string[] = [];
  for (let i = 29; i >= 0; i--)
    days.push(new Date(Date.now() + 8 * 3600_000 - i * 86400_000).toISOString().slice(0, 10));
  const counts = new Map((act.data ?? []).map((d) => [d.day, d.count]));
  const total = (act.data ?? []).reduce((n, d) => n + d.count, 0);
  const fmt = (n: number | undefined) => (n === undefined ? '—' : fmtNumber(n, i18n.language));
  const stat = (title: string, q: { data?: number; isLoading: boolean }, testid: string) => (
    <Col xs={24} sm={12} lg={6}>
      <Card>
        <Statistic title={title} value={fmt(q.data)} loading={q.isLoading} data-testid={testid} />
      </Card>
    </Col>
  );

  return (
    <>
      <Typography.Title level={3} className="gs-page-title">
        {t('home.welcome', { name: session!.user.displayName })}
      </Typography.Title>
      {!isAdmin && !can(roles, 'auditor') && (
        <Typography.Paragraph type="secondary" data-testid="own-department">
          {t('home.ownDepartment')}：{session!.user.departmentName}
        </Typography.Paragraph>
      )}
      <Row gutter={[16, 16]}>
        {isAdmin && stat(t('home.departments'), departments, 'stat-departments')}
        {can(roles, 'admin', 'officer', 'auditor') && stat(t('home.users'), users, 'stat-users')}
        {can(roles, 'admin', 'officer', 'consumer') && stat(t('home.credentials'), creds, 'stat-credentials')}
        {seesAudit &&
          stat(t('home.auditEntries'), { data: act.data ? total : undefined, isLoading: act.isLoading }, 'stat-audit')}
      </Row>
      {seesAudit && (
        <Card title={t('home.activity')} style={{ marginTop: 16 }}>
          {act.isLoading ? (
            <Skeleton active />
          ) : total === 0 ? (
            <Empty description={t('home.noActivity')} />
          ) : (
            <Suspense fallback={<Skeleton active />}>
              <Chart
                label={t('home.activity')}
                option={{
                  tooltip: { trigger: 'axis' },
                  grid: { left: 40, right: 16, top: 16, bottom: 32 },
                  xAxis: { type: 'category', data: days.map((d) => d.slice(5)) },
                  yAxis: { type: 'value', minInterval: 1 },
                  series: [
                    {
                      type: 'line',
                      areaStyle: { opacity: 0.15 },
                      name: t('home.entries'),
                      data: days.map((d) => counts.get(d) ?? 0),
                    },
                  ],
                }}
              />
            </Suspense>
          )}
        </Card>
      )}
    </>
  );
}
