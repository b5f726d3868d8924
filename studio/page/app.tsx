import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { ConsoleInfo } from '../src/views.js';
import { getJson } from './api.js';
import { Problem } from './components/common.js';
import { live } from './live.js';
import { parseRoute, type Route } from './router.js';
import { DeploymentsPage } from './views/deployments-page.js';
import { EndpointPage, EndpointsPage } from './views/endpoints-page.js';
import { ComparePage } from './views/compare-page.js';
import { ExecutionPage } from './views/execution-page.js';
import { MonitoringPage } from './views/monitoring-page.js';
import { ObjectPage } from './views/object-page.js';
import { PipelinePage, PipelinesPage } from './views/pipelines-page.js';
import { ModelGroupPage, ModelVersionPage, RegistryPage } from './views/registry-page.js';

export const InfoContext = createContext<ConsoleInfo | undefined>(undefined);

/** What the console is connected to and may do (the page hides what the server would refuse). */
export function useInfo(): ConsoleInfo {
  const info = useContext(InfoContext);
  if (!info) throw new Error('the console info is read before the page renders');
  return info;
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

const SECTIONS = [
  { path: 'pipelines', title: 'Pipelines' },
  { path: 'registry', title: 'Model registry' },
  { path: 'deployments', title: 'Deployments' },
  { path: 'endpoints', title: 'Endpoints' },
  { path: 'monitoring', title: 'Monitoring' },
] as const;

function page(route: Route) {
  const [section, name] = route.path;
  switch (section) {
    case undefined:
    case 'pipelines':
      return name ? <PipelinePage name={name} /> : <PipelinesPage />;
    case 'execution':
      return <ExecutionPage arn={route.query.get('arn') ?? ''} step={route.query.get('step') ?? undefined} />;
    case 'compare':
      return <ComparePage a={route.query.get('a') ?? ''} b={route.query.get('b') ?? ''} />;
    case 'registry':
      return name ? <ModelGroupPage name={name} /> : <RegistryPage />;
    case 'model':
      return <ModelVersionPage arn={route.query.get('arn') ?? ''} />;
    case 'deployments':
      return <DeploymentsPage />;
    case 'endpoints':
      return name ? <EndpointPage name={name} /> : <EndpointsPage />;
    case 'monitoring':
      return <MonitoringPage />;
    case 'object':
      return <ObjectPage uri={route.query.get('uri') ?? ''} />;
    default:
      return <Problem error={`There is no page ${location.hash}.`} />;
  }
}

export function App() {
  const route = useRoute();
  const [info, setInfo] = useState<ConsoleInfo>();
  const [error, setError] = useState<Error>();
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    getJson<ConsoleInfo>('info').then(setInfo, setError);
    return live.onStatus(setConnected);
  }, []);
  const current = route.path[0] ?? 'pipelines';
  const sectionOf: Record<string, string> = { execution: 'pipelines', compare: 'pipelines', model: 'registry' };
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href="#/pipelines">
          Slipway Studio
        </a>
        <nav>
          {SECTIONS.map((section) => (
            <a
              key={section.path}
              href={`#/${section.path}`}
              class={(sectionOf[current] ?? current) === section.path ? 'active' : ''}
            >
              {section.title}
            </a>
          ))}
        </nav>
        <div class="where" data-testid="connection">
          {info ? (
            <>
              <span class={`mode ${info.mode}`}>{info.mode === 'local' ? 'local server' : `AWS ${info.region}`}</span>
              {info.mode === 'aws' && !info.permissions.approve ? <span class="mode">read-only</span> : null}
              <span class={`live ${connected ? 'on' : 'off'}`} title={connected ? 'live updates on' : 'reconnecting'}>
                {info.live === 'events' ? (connected ? 'live' : 'offline') : `every ${info.refreshSeconds ?? 10} s`}
              </span>
            </>
          ) : null}
        </div>
      </header>
      <main>
        {error ? (
          <Problem error={error} />
        ) : info ? (
          <InfoContext.Provider value={info}>{page(route)}</InfoContext.Provider>
        ) : null}
      </main>
    </div>
  );
}
