import { useState } from 'preact/hooks';
import type { EndpointListItem, EndpointView } from '../../src/views.js';
import { invokeEndpoint } from '../api.js';
import { useInfo } from '../app.js';
import { LatencyChart } from '../components/charts.js';
import { Loading, Problem, Section, Status } from '../components/common.js';
import { formatTime } from '../format.js';
import { useResource } from '../hooks.js';
import { href } from '../router.js';

/** Data capture writes its files a moment after the answers; the page reads the capture again after that. */
const CAPTURE_FLUSH_MS = 1500;

export function EndpointsPage() {
  const endpoints = useResource<EndpointListItem[]>('endpoints', {}, (topic) => topic.topic === 'endpoints');
  return (
    <Section title="Endpoints">
      {endpoints.error ? <Problem error={endpoints.error} /> : null}
      {!endpoints.data ? (
        <Loading />
      ) : endpoints.data.length === 0 ? (
        <p class="muted">No endpoints yet: approving a version deploys it to the first stage.</p>
      ) : (
        <table class="table" data-testid="endpoints">
          <thead>
            <tr>
              <th>Endpoint</th>
              <th>Stage</th>
              <th>Status</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.data.map((endpoint) => (
              <tr key={endpoint.arn}>
                <td>
                  <a href={href(['endpoints', endpoint.name])}>{endpoint.name}</a>
                </td>
                <td>{endpoint.stage ?? '—'}</td>
                <td>
                  <Status value={endpoint.status} />
                </td>
                <td>{formatTime(endpoint.modified)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export function EndpointPage({ name }: { name: string }) {
  const view = useResource<EndpointView>(
    'endpoint',
    { name },
    (topic) => (topic.topic === 'endpoint' && topic.name === name) || topic.topic === 'endpoints',
  );
  if (view.error && !view.data) return <Problem error={view.error} />;
  if (!view.data) return <Loading />;
  const { endpoint, variants, latency, latencyNote, captured, captureUri, samples } = view.data;
  return (
    <>
      <p class="crumbs">
        <a href="#/endpoints">Endpoints</a> / {endpoint.name}
      </p>
      <h1>
        {endpoint.name} <Status value={endpoint.status} />
      </h1>
      {endpoint.failureReason ? <Problem error={endpoint.failureReason} /> : null}
      <Section title="Variants">
        <table class="table" data-testid="variants">
          <thead>
            <tr>
              <th>Variant</th>
              <th class="num">Weight</th>
              <th class="num">Instances</th>
              <th>Instance type</th>
              <th>Model version</th>
              <th>Model</th>
            </tr>
          </thead>
          <tbody>
            {variants.map((variant) => (
              <tr key={variant.name}>
                <td>{variant.name}</td>
                <td class="num">{variant.weight ?? '—'}</td>
                <td class="num">{variant.instances ?? '—'}</td>
                <td>{variant.instanceType ?? '—'}</td>
                <td>
                  {variant.modelPackageArn ? (
                    <a href={href(['model'], { arn: variant.modelPackageArn })}>v{variant.version}</a>
                  ) : (
                    '—'
                  )}
                </td>
                <td>{variant.modelName ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted">
          Config {endpoint.configName ?? '—'}
          {endpoint.stage ? ` · stage ${endpoint.stage}` : ''} · updated {formatTime(endpoint.modified)}
        </p>
      </Section>
      <InvokeForm
        name={endpoint.name}
        samples={samples}
        inService={endpoint.status === 'InService'}
        onSent={() => setTimeout(view.reload, CAPTURE_FLUSH_MS)}
      />
      <Section title="Latency">
        {latency ? <LatencyChart points={latency} /> : <p class="muted">{latencyNote}</p>}
      </Section>
      <Section title="Captured invocations">
        {captureUri ? (
          <p class="muted">
            Data capture: <a href={href(['object'], { uri: captureUri })}>{captureUri}</a>
          </p>
        ) : (
          <p class="muted">This endpoint's config captures no data.</p>
        )}
        {captured.length > 0 ? (
          <table class="table" data-testid="captured">
            <thead>
              <tr>
                <th>When</th>
                <th>Variant</th>
                <th>Request</th>
                <th>Answer</th>
              </tr>
            </thead>
            <tbody>
              {captured.map((record, index) => (
                <tr key={index}>
                  <td>{formatTime(record.at)}</td>
                  <td>{record.variant}</td>
                  <td>
                    <code class="clip">{record.input ?? ''}</code>
                  </td>
                  <td>
                    <code class="clip">{record.output ?? ''}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
    </>
  );
}

/** Sends a review to the endpoint (`{"instances": [text]}`, the seed model's JSON) and shows the answer. */
function InvokeForm({
  name,
  samples,
  inService,
  onSent,
}: {
  name: string;
  samples: readonly string[];
  inService: boolean;
  onSent: () => void;
}) {
  const info = useInfo();
  const [text, setText] = useState(samples[0] ?? '');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ status: number; text: string; ms: number; variant?: string }>();
  if (!info.permissions.invoke) {
    return (
      <Section title="Invoke">
        <p class="muted">Read-only: the console does not invoke AWS endpoints.</p>
      </Section>
    );
  }
  const send = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      setResult(await invokeEndpoint(name, JSON.stringify({ instances: [text] })));
      onSent();
    } catch (caught) {
      setResult({ status: 0, text: String(caught), ms: 0 });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Invoke">
      <form class="form single" onSubmit={send} data-testid="invoke-form">
        {samples.length > 0 ? (
          <label>
            <span>Sample reviews</span>
            <select onChange={(event) => setText((event.target as HTMLSelectElement).value)} name="sample">
              {samples.map((sample) => (
                <option key={sample} value={sample}>
                  {sample.length > 90 ? `${sample.slice(0, 90)}…` : sample}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          <span>Review</span>
          <textarea
            name="review"
            rows={3}
            value={text}
            onInput={(event) => setText((event.target as HTMLTextAreaElement).value)}
          />
        </label>
        <div class="actions">
          <button
            class="primary"
            type="submit"
            disabled={busy || !inService || text.trim() === ''}
            data-testid="invoke"
          >
            {busy ? 'Sending…' : 'Send'}
          </button>
          {!inService ? <span class="muted">The endpoint takes requests once it is InService.</span> : null}
        </div>
      </form>
      {result ? (
        <div class={`answer ${result.status === 200 ? 'ok' : 'err'}`} data-testid="invoke-answer">
          <p>
            <strong>{result.status === 200 ? 'Answer' : `Error ${result.status}`}</strong>{' '}
            <span data-testid="invoke-latency">{result.ms.toFixed(1)} ms</span>
            {result.variant ? <span class="muted"> · variant {result.variant}</span> : null}
          </p>
          <pre>{result.text}</pre>
        </div>
      ) : null}
    </Section>
  );
}
