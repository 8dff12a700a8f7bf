import { StrictMode, Suspense, lazy, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { useTranslation } from 'react-i18next';
import './i18n';
import './styles.css';
import { ApiError, setUnauthorizedHandler } from './api/client';
import { useSession } from './auth/session';
import AppLayout from './layout/AppLayout';

const Login = lazy(() => import('./pages/Login'));
const Home = lazy(() => import('./pages/Home'));
const Departments = lazy(() => import('./pages/Departments'));
const Users = lazy(() => import('./pages/Users'));
const Credentials = lazy(() => import('./pages/Credentials'));
const Audit = lazy(() => import('./pages/Audit'));
const Calendar = lazy(() => import('./pages/Calendar'));
const NotFound = lazy(() => import('./pages/NotFound'));
const Catalog = lazy(() => import('./pages/catalog/Catalog'));
const CatalogResource = lazy(() => import('./pages/catalog/Resource'));
const CatalogEdit = lazy(() => import('./pages/catalog/Edit'));
const CatalogManage = lazy(() => import('./pages/catalog/Manage'));
const CatalogCategories = lazy(() => import('./pages/catalog/Categories'));
const Ingest = lazy(() => import('./pages/Ingest'));
const Governance = lazy(() => import('./pages/Governance'));
const Share = lazy(() => import('./pages/share/Share'));
const Portal = lazy(() => import('./pages/open/Portal'));
const Objections = lazy(() => import('./pages/Objections'));
const Demands = lazy(() => import('./pages/Demands'));
const Notifications = lazy(() => import('./pages/Notifications'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2, refetchOnWindowFocus: false },
  },
});

function Loading() {
  return (
    <div className="gs-center">
      <Spin size="large" />
    </div>
  );
}

/** Pages behind log-in: without a session, go to the login page and come back afterwards. */
function RequireSession() {
  const { data, isLoading, error } = useSession();
  const location = useLocation();
  if (isLoading) return <Loading />;
  if (!data) {
    const expired = error instanceof ApiError && error.code === 'AUTH_SESSION_EXPIRED' ? '&expired=1' : '';
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}${expired}`} replace />;
  }
  return (
    <AppLayout>
      <Suspense fallback={<Loading />}>
        <Outlet />
      </Suspense>
    </AppLayout>
  );
}

const router = createBrowserRouter([
  {
    path: '/login',
    element: (
      <Suspense fallback={<Loading />}>
        <Login />
      </Suspense>
    ),
  },
  // the open data portal is public: no session
  {
    path: '/open',
    element: (
      <Suspense fallback={<Loading />}>
        <Portal />
      </Suspense>
    ),
  },
  {
    path: '/open/:id',
    element: (
      <Suspense fallback={<Loading />}>
        <Portal />
      </Suspense>
    ),
  },
  {
    element: <RequireSession />,
    children: [
      { path: '/', element: <Home /> },
      { path: '/departments', element: <Departments /> },
      { path: '/users', element: <Users /> },
      { path: '/credentials', element: <Credentials /> },
      { path: '/audit', element: <Audit /> },
      { path: '/calendar', element: <Calendar /> },
      { path: '/ingest', element: <Ingest /> },
      { path: '/governance', element: <Governance /> },
      { path: '/share', element: <Share /> },
      { path: '/objections', element: <Objections /> },
      { path: '/demands', element: <Demands /> },
      { path: '/notifications', element: <Notifications /> },
      { path: '/catalog', element: <Catalog /> },
      { path: '/catalog/manage', element: <CatalogManage /> },
      { path: '/catalog/review', element: <CatalogManage review /> },
      { path: '/catalog/new', element: <CatalogEdit /> },
      { path: '/catalog/categories', element: <CatalogCategories /> },
      { path: '/catalog/:id', element: <CatalogResource /> },
      { path: '/catalog/:id/edit', element: <CatalogEdit /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);

// any 401 from the API (an expired session) sends the user to log in, then back where they were
setUnauthorizedHandler((code) => {
  queryClient.removeQueries({ queryKey: ['me'] });
  if (location.pathname !== '/login') {
    const next = encodeURIComponent(location.pathname + location.search);
    void router.navigate(`/login?next=${next}${code === 'AUTH_SESSION_EXPIRED' ? '&expired=1' : ''}`, {
      replace: true,
    });
  }
});

function Root() {
  const { i18n } = useTranslation();
  const [lang, setLang] = useState(i18n.language);
  useEffect(() => {
    const on = (l: string) => setLang(l);
    i18n.on('languageChanged', on);
    return () => i18n.off('languageChanged', on);
  }, [i18n]);
  return (
    <ConfigProvider
      locale={lang === 'en-US' ? enUS : zhCN}
      theme={{ token: { colorPrimary: '#1f5fbf', borderRadius: 6 } }}
    >
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
