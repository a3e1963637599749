/** The UI's entry: the API's cache, the routes, and sign-in before anything else. */
import { StrictMode, lazy, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Navigate, RouterProvider, createBrowserRouter } from 'react-router';
import { session } from './api/session';
import { Layout } from './components/layout';
import { SignIn } from './screens/sign-in/sign-in';
import { IntegrationList } from './screens/integrations/integration-list';
import { IntegrationDetail } from './screens/integrations/integration-detail';
import { ExecutionPage } from './screens/execution/execution-page';
import './styles.css';

// The editor (CodeMirror) and the chart load when their screens open: the first screen stays small.
const HookEditor = lazy(() => import('./screens/hook-editor/hook-editor'));
const HookExecutions = lazy(() => import('./screens/executions/hook-executions'));
const ApiKeys = lazy(() => import('./screens/api-keys/api-keys'));
const Entities = lazy(() => import('./screens/entities/entities'));
const EntityPage = lazy(() => import('./screens/entities/entity-page'));
const CustomAttributes = lazy(() => import('./screens/custom-attributes/custom-attributes'));
const Automations = lazy(() => import('./screens/automations/automation-list'));
const AutomationPage = lazy(() => import('./screens/automations/automation-page'));

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } });

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <Navigate to="/integrations" replace /> },
      { path: '/integrations', element: <IntegrationList /> },
      { path: '/integrations/:id', element: <IntegrationDetail /> },
      { path: '/hooks/:id', element: <HookEditor /> },
      { path: '/hooks/:id/executions', element: <HookExecutions /> },
      { path: '/executions/:id', element: <ExecutionPage /> },
      { path: '/api-keys', element: <ApiKeys /> },
      { path: '/entities', element: <Entities /> },
      { path: '/entities/:type', element: <Entities /> },
      { path: '/entities/:type/:id', element: <EntityPage /> },
      { path: '/custom-attributes', element: <CustomAttributes /> },
      { path: '/automations', element: <Automations /> },
      { path: '/automations/:id', element: <AutomationPage /> },
      { path: '*', element: <p>There is nothing at this address.</p> },
    ],
  },
]);

function App() {
  const key = useSyncExternalStore(session.subscribe, session.key);
  if (!key) return <SignIn />;
  return (
    // Keyed by the key: signing in as someone else starts from an empty cache.
    <QueryClientProvider client={queryClient} key={key}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}

session.subscribe(() => queryClient.clear());
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
