import { useEffect, useRef, useState } from 'preact/hooks';
import type { ExecutionView, S3Link, StepDetailView } from '../../src/views.js';
import { ApiError, apiUrl, postJson } from '../api.js';
import { useInfo } from '../app.js';
import { JsonView, Loading, Problem, Section, Status } from '../components/common.js';
import { Dag } from '../components/dag.js';
import { arnTail, formatDuration, formatMetric, formatTime } from '../format.js';
import { useResource } from '../hooks.js';
import { href } from '../router.js';
import { SourceLink } from './pipelines-page.js';

export function ExecutionPage({ arn, step }: { arn: string; step: string | undefined }) {
  const view = useResource<ExecutionView>(
    'execution',
    { arn },
    (topic) => topic.topic === 'execution' && topic.arn === arn,
  );
  if (view.error && !view.data) return <Problem error={view.error} />;
  if (!view.data) return <Loading />;
  const { execution, graph, steps, pipelineName, note } = view.data;
  const select = (name: string) => {
    location.hash = href(['execution'], { arn, step: name === step ? undefined : name });
  };
  return (
    <>
      <p class="crumbs">
        <a href="#/pipelines">Pipelines</a> / <a href={href(['pipelines', pipelineName])}>{pipelineName}</a> /{' '}
        {execution.displayName ?? arnTail(arn)}
      </p>
      <div class="title-row">
        <h1>
          {execution.displayName ?? arnTail(arn)} <Status value={execution.status} />
        </h1>
        <ExecutionActions arn={arn} status={execution.status} />
      </div>
      <dl class="facts" data-testid="execution-facts">
        <div>
          <dt>Started</dt>
          <dd>{formatTime(execution.started)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(execution.durationMs)}</dd>
        </div>
        <div>
          <dt>Version</dt>
          <dd>{execution.version ? `v${execution.version}` : '—'}</dd>
        </div>
        <div>
          <dt>Started by</dt>
          <dd>{execution.createdBy ?? '—'}</dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>
            <SourceLink source={execution.source} />
          </dd>
        </div>
      </dl>
      {execution.failureReason ? <Problem error={execution.failureReason} /> : null}
      {note ? <p class="muted">{note}</p> : null}
      <div class={`execution-body ${step ? 'with-panel' : ''}`}>
        <Section title="Steps">
          <Dag graph={graph} steps={steps} selected={step} onSelect={select} />
        </Section>
        {step ? <StepPanel arn={arn} name={step} status={steps.find((s) => s.name === step)?.status} /> : null}
      </div>
      <Section title="Parameters">
        <dl class="parameters-grid">
          {Object.entries(execution.parameters).map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </Section>
    </>
  );
}

function ExecutionActions({ arn, status }: { arn: string; status: string }) {
  const info = useInfo();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  if (!info.permissions.execute) return null;
  const act = async (action: 'stop' | 'retry') => {
    setBusy(true);
    setMessage(undefined);
    try {
      const result = await postJson<{ arn: string; how?: string }>(`execution/${action}`, { arn });
      if (action === 'retry' && result.arn !== arn) location.hash = href(['execution'], { arn: result.arn });
      if (result.how === 'restarted') setMessage('Started a new execution with the same parameters.');
    } catch (caught) {
      setMessage(caught instanceof ApiError ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="actions">
      {status === 'Executing' ? (
        <button onClick={() => act('stop')} disabled={busy} data-testid="stop-execution">
          Stop
        </button>
      ) : null}
      {status === 'Failed' ? (
        <button
          onClick={() => act('retry')}
          disabled={busy}
          data-testid="retry-execution"
          title="Run the failed steps again with the same parameters (steps that succeeded are cache hits)"
        >
          Retry
        </button>
      ) : null}
      {message ? <span class="muted">{message}</span> : null}
    </div>
  );
}

function StepPanel({ arn, name, status }: { arn: string; name: string; status: string | undefined }) {
  const detail = useResource<StepDetailView>(
    'step',
    { arn, name },
    (topic) => topic.topic === 'execution' && topic.arn === arn,
  );
  return (
    <aside class="panel" data-testid="step-panel" aria-label={`step ${name}`}>
      <header class="card-head">
        <h2>
          {name} <Status value={status} />
        </h2>
        <a class="close" href={href(['execution'], { arn })} aria-label="close">
          ×
        </a>
      </header>
      {detail.error && !detail.data ? <Problem error={detail.error} /> : null}
      {!detail.data ? <Loading /> : <StepDetail detail={detail.data} />}
    </aside>
  );
}

function StepDetail({ detail }: { detail: StepDetailView }) {
  const { step } = detail;
  return (
    <div class="step-detail">
      <dl class="facts">
        <div>
          <dt>Type</dt>
          <dd>{step.type}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatTime(step.started)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(step.durationMs)}</dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd>{step.attempts ?? '—'}</dd>
        </div>
        {step.cacheHitFrom ? (
          <div>
            <dt>Cache hit</dt>
            <dd>
              <a href={href(['execution'], { arn: step.cacheHitFrom })}>{arnTail(step.cacheHitFrom)}</a>
            </dd>
          </div>
        ) : null}
        {step.outcome ? (
          <div>
            <dt>Outcome</dt>
            <dd>{step.outcome === 'True' ? 'True (if branch)' : 'False (else branch)'}</dd>
          </div>
        ) : null}
        {step.modelPackageArn ? (
          <div>
            <dt>Model version</dt>
            <dd>
              <a href={href(['model'], { arn: step.modelPackageArn })}>{arnTail(step.modelPackageArn)}</a>
            </dd>
          </div>
        ) : null}
      </dl>
      {step.failureReason ? <Problem error={step.failureReason} /> : null}
      {detail.metrics && detail.metrics.length > 0 ? (
        <>
          <h3>Metrics</h3>
          <dl class="facts">
            {detail.metrics.map((metric) => (
              <div key={metric.name}>
                <dt>{metric.name}</dt>
                <dd>{formatMetric(metric.value)}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
      <Links title="Inputs" links={detail.inputs} />
      <Links title="Outputs" links={detail.outputs} />
      {step.job && detail.log ? <JobLog job={step.job.name} log={detail.log} /> : null}
      <h3>{detail.argumentsResolved ? 'Arguments (as the job ran them)' : 'Arguments (from the definition)'}</h3>
      <JsonView value={detail.arguments} open={1} />
      {detail.properties !== undefined ? (
        <>
          <h3>Properties</h3>
          <JsonView value={detail.properties} open={1} />
        </>
      ) : null}
    </div>
  );
}

function Links({ title, links }: { title: string; links: readonly S3Link[] }) {
  if (links.length === 0) return null;
  return (
    <>
      <h3>{title}</h3>
      <ul class="links">
        {links.map((link) => (
          <li key={`${link.name}:${link.uri}`}>
            <span class="muted">{link.name}</span> <a href={href(['object'], { uri: link.uri })}>{link.uri}</a>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The job's log, streamed while the job runs (local), or where CloudWatch keeps it (AWS). */
function JobLog({ job, log }: { job: string; log: NonNullable<StepDetailView['log']> }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<'streaming' | 'ended' | 'problem'>('streaming');
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (!log.stream) return;
    setText('');
    setState('streaming');
    const source = new EventSource(apiUrl('log', { job }));
    source.addEventListener('chunk', (event) =>
      setText((current) => current + (JSON.parse((event as MessageEvent<string>).data) as string)),
    );
    source.addEventListener('skipped', (event) => {
      const { bytes } = JSON.parse((event as MessageEvent<string>).data) as { bytes: number };
      setText(`[… the first ${bytes} bytes are not shown]\n`);
    });
    source.addEventListener('end', () => {
      setState('ended');
      source.close();
    });
    source.addEventListener('problem', () => {
      setState('problem');
      source.close();
    });
    return () => source.close();
  }, [job, log.stream]);
  useEffect(() => {
    const element = box.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [text]);
  if (!log.stream) {
    return (
      <>
        <h3>Log</h3>
        <p class="muted">{log.where}</p>
      </>
    );
  }
  return (
    <>
      <h3>
        Log{' '}
        <span class="muted">{state === 'streaming' ? '(live)' : state === 'ended' ? '' : '(could not be read)'}</span>
      </h3>
      <pre class="log" ref={box} data-testid="job-log" data-state={state}>
        {text}
      </pre>
    </>
  );
}

export function ExecutionLink({ arn }: { arn: string }) {
  return <a href={href(['execution'], { arn })}>{arnTail(arn)}</a>;
}
