import type { DriftCheckView, DriftStatisticView, MonitoringView, RetrainView } from '../../src/views.js';
import { Loading, Problem, Section } from '../components/common.js';
import { formatTime, packageLabel } from '../format.js';
import { useResource } from '../hooks.js';
import { href } from '../router.js';

/**
 * Each endpoint's last drift checks, the newest check's statistics against the baseline, the violations, and
 * the retrains drift started: what `slipway monitor status` prints, read by the same reader on the server.
 */
export function MonitoringPage() {
  // The ledger changes when drift starts a retrain; a retrain registers a version; a deploy changes the endpoint.
  const view = useResource<MonitoringView>(
    'monitoring',
    {},
    (topic) => topic.topic === 'monitoring' || topic.topic === 'registry' || topic.topic === 'endpoints',
  );
  if (view.error && !view.data) return <Problem error={view.error} />;
  if (!view.data) return <Loading />;
  const { endpoints, checks, retrains, note } = view.data;
  return (
    <>
      <h1>Monitoring</h1>
      {note ? <p class="muted">{note}</p> : null}
      <p class="muted">
        Drift checks compare each endpoint's captured traffic with its live version's baseline.{' '}
        <button type="button" onClick={view.reload}>
          Reload
        </button>
      </p>
      {endpoints.map((endpoint) => (
        <EndpointChecks
          key={endpoint}
          endpoint={endpoint}
          checks={checks.filter((check) => check.endpointName === endpoint)}
        />
      ))}
      <Section title="Retrains started by drift">
        <Retrains retrains={retrains} />
      </Section>
    </>
  );
}

function EndpointChecks({ endpoint, checks }: { endpoint: string; checks: readonly DriftCheckView[] }) {
  const newest = checks[0];
  return (
    <Section title={endpoint}>
      <div data-testid={`monitoring-${endpoint}`}>
        <p>
          <a href={href(['endpoints', endpoint])}>the endpoint</a>
        </p>
        {checks.length === 0 ? (
          <p class="muted">
            No drift checks yet (<code>npx slipway monitor run --endpoint {endpoint}</code>).
          </p>
        ) : (
          <>
            <table class="table" data-testid={`checks-${endpoint}`}>
              <thead>
                <tr>
                  <th>Window (UTC)</th>
                  <th>Reviews</th>
                  <th>Result</th>
                </tr>
              </thead>
              <tbody>
                {checks.map((check) => (
                  <tr key={check.checkId} data-check={check.checkId}>
                    <td>
                      {formatTime(check.windowStart)} – {formatTime(check.windowEnd)}
                    </td>
                    <td>{check.itemCount}</td>
                    <td>
                      {check.drifted.length > 0 ? (
                        <span class="status bad">DRIFT in {check.drifted.join(', ')}</span>
                      ) : (
                        <span class="status good">no violations</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {newest ? <Statistics check={newest} /> : null}
          </>
        )}
      </div>
    </Section>
  );
}

function Statistics({ check }: { check: DriftCheckView }) {
  return (
    <>
      <h3>Statistics against the baseline (newest check)</h3>
      <table class="table" data-testid={`statistics-${check.endpointName}`}>
        <thead>
          <tr>
            <th>Statistic</th>
            <th>Method</th>
            <th>Distance</th>
            <th>Threshold</th>
            <th>Baseline</th>
            <th>Window</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {check.features.map((feature) => (
            <tr key={feature.feature_name} data-statistic={feature.feature_name} data-drifted={String(feature.drifted)}>
              <td>{feature.feature_name}</td>
              <td>{feature.comparison_method === 'PopulationStabilityIndex' ? 'PSI' : 'JS distance'}</td>
              <td>{feature.distance.toFixed(4)}</td>
              <td>{feature.threshold}</td>
              <td>{summary(feature.baseline)}</td>
              <td>{summary(feature.window)}</td>
              <td>{verdict(feature)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** A distribution in a few characters: a numeric statistic's mean, a categorical one's shares. */
function summary(value: Readonly<Record<string, unknown>>): string {
  if (typeof value.mean === 'number') return value.mean.toPrecision(3);
  const shares = value.shares as Readonly<Record<string, number>> | undefined;
  if (!shares) return '—';
  return Object.entries(shares)
    .map(([label, share]) => `${label} ${Math.round(share * 100)}%`)
    .join(', ');
}

function verdict(feature: DriftStatisticView) {
  if (feature.drifted) return <span class="status bad">DRIFT</span>;
  return feature.compared ? <span class="status good">ok</span> : <span class="muted">too few reviews</span>;
}

function Retrains({ retrains }: { retrains: readonly RetrainView[] }) {
  if (retrains.length === 0) return <p class="muted">None.</p>;
  return (
    <table class="table" data-testid="retrains">
      <thead>
        <tr>
          <th>Endpoint</th>
          <th>Check</th>
          <th>Drifted version</th>
          <th>Started</th>
          <th>Outcome</th>
        </tr>
      </thead>
      <tbody>
        {retrains.map((retrain) => (
          <tr key={retrain.checkId} data-retrain={retrain.checkId}>
            <td>{retrain.endpointName}</td>
            <td>{retrain.checkId}</td>
            <td>
              <a href={href(['model'], { arn: retrain.modelPackageArn })}>{packageLabel(retrain.modelPackageArn)}</a>
            </td>
            <td>{formatTime(retrain.startedAt)}</td>
            <td>{retrain.outcome ?? 'started'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
