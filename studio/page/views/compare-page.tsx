import type { CompareView } from '../../src/views.js';
import { Loading, Problem, Section, Status } from '../components/common.js';
import { arnTail, formatDuration, formatMetric, formatTime } from '../format.js';
import { useResource } from '../hooks.js';
import { href } from '../router.js';

/** Two executions side by side: what differs is marked. */
export function ComparePage({ a, b }: { a: string; b: string }) {
  const view = useResource<CompareView>(
    'compare',
    { a, b },
    (topic) => topic.topic === 'execution' && (topic.arn === a || topic.arn === b),
  );
  if (view.error && !view.data) return <Problem error={view.error} />;
  if (!view.data) return <Loading />;
  const { executions, parameters, steps, metrics } = view.data;
  const [first, second] = executions;
  const header = (
    <tr>
      <th />
      {executions.map((execution) => (
        <th key={execution.arn}>
          <a href={href(['execution'], { arn: execution.arn })}>{execution.displayName ?? arnTail(execution.arn)}</a>
        </th>
      ))}
    </tr>
  );
  return (
    <>
      <p class="crumbs">
        <a href="#/pipelines">Pipelines</a> / compare
      </p>
      <h1>Compare executions</h1>
      <Section title="Executions">
        <table class="table compare" data-testid="compare-executions">
          <thead>{header}</thead>
          <tbody>
            <tr>
              <th>Status</th>
              <td>
                <Status value={first.status} />
              </td>
              <td>
                <Status value={second.status} />
              </td>
            </tr>
            <tr>
              <th>Started</th>
              <td>{formatTime(first.started)}</td>
              <td>{formatTime(second.started)}</td>
            </tr>
            <tr>
              <th>Duration</th>
              <td>{formatDuration(first.durationMs)}</td>
              <td>{formatDuration(second.durationMs)}</td>
            </tr>
          </tbody>
        </table>
      </Section>
      <Section title="Metrics">
        {metrics.length === 0 ? (
          <p class="muted">Neither execution has an evaluation report or training metrics.</p>
        ) : (
          <table class="table compare" data-testid="compare-metrics">
            <thead>{header}</thead>
            <tbody>
              {metrics.map((metric) => {
                const [x, y] = metric.values;
                const delta = x !== undefined && y !== undefined ? y - x : undefined;
                return (
                  <tr key={metric.name}>
                    <th>{metric.name}</th>
                    <td class="num">{formatMetric(x)}</td>
                    <td class="num">
                      {formatMetric(y)}
                      {delta ? (
                        <span class={delta > 0 ? 'up' : 'down'}>
                          {' '}
                          ({delta > 0 ? '+' : ''}
                          {formatMetric(delta)})
                        </span>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Parameters">
        <table class="table compare" data-testid="compare-parameters">
          <thead>{header}</thead>
          <tbody>
            {parameters.map((parameter) => (
              <tr key={parameter.name} class={parameter.values[0] !== parameter.values[1] ? 'differs' : ''}>
                <th>{parameter.name}</th>
                <td>{parameter.values[0] ?? '—'}</td>
                <td>{parameter.values[1] ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Steps">
        <table class="table compare" data-testid="compare-steps">
          <thead>{header}</thead>
          <tbody>
            {steps.map((step) => (
              <tr key={step.name}>
                <th>{step.name}</th>
                {[0, 1].map((side) => (
                  <td key={side}>
                    <Status value={step.status[side]} /> {formatDuration(step.durationMs[side])}
                    {step.cacheHit[side] ? <span class="muted"> (cache hit)</span> : null}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}
