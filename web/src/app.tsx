import { Route, Router, type RouteSectionProps } from '@solidjs/router';
import { lazy } from 'solid-js';
import { AppLayout } from './components/layout.tsx';
import { ToastList } from './components/toast-list.tsx';
import { StoreProvider } from './stores/index.tsx';

// Every page is its own chunk: the first load carries only the shell and the current page.
const Dashboard = lazy(() => import('./pages/dashboard.tsx'));
const Connections = lazy(() => import('./pages/connections.tsx'));
const ConnectionForm = lazy(() => import('./pages/connection-form.tsx'));
const Browser = lazy(() => import('./pages/browser.tsx'));
const Query = lazy(() => import('./pages/query.tsx'));
const Documents = lazy(() => import('./pages/documents.tsx'));
const Document = lazy(() => import('./pages/document.tsx'));
const Audit = lazy(() => import('./pages/audit.tsx'));
const Hosted = lazy(() => import('./pages/hosted.tsx'));
const Settings = lazy(() => import('./pages/settings.tsx'));
const SignIn = lazy(() => import('./pages/sign-in.tsx'));
const SignUp = lazy(() => import('./pages/sign-up.tsx'));
const Invite = lazy(() => import('./pages/invite.tsx'));

function Root(props: RouteSectionProps) {
  return (
    <StoreProvider>
      {props.children}
      <ToastList />
    </StoreProvider>
  );
}

function NotFound() {
  return (
    <div class="page">
      <h1>Not found</h1>
      <p class="muted">
        There is no page here. <a href="/">Go to the dashboard</a>.
      </p>
    </div>
  );
}

export function App() {
  return (
    <Router root={Root}>
      <Route path="/sign-in" component={SignIn} />
      <Route path="/sign-up" component={SignUp} />
      <Route path="/invite/:token" component={Invite} />
      <Route path="/" component={AppLayout}>
        <Route path="/" component={Dashboard} />
        <Route path="/connections" component={Connections} />
        <Route path="/connections/new" component={ConnectionForm} />
        <Route path="/connections/:id" component={ConnectionForm} />
        <Route path="/browser/:connectionId?" component={Browser} />
        <Route path="/query/:connectionId?" component={Query} />
        <Route path="/documents" component={Documents} />
        <Route path="/documents/:id" component={Document} />
        <Route path="/hosted" component={Hosted} />
        <Route path="/audit" component={Audit} />
        <Route path="/settings/:tab?" component={Settings} />
        <Route path="*404" component={NotFound} />
      </Route>
    </Router>
  );
}
