import { useState } from 'preact/hooks';
import type { DeploymentsView, DeployRunView } from '../../src/views.js';
import { ApiError, postJson } from '../api.js';
import { useInfo } from '../app.js';
import { External, Loading, Problem, Section, Status } from '../components/common.js';
import { formatTime, packageLabel } from '../format.js';
import { useResource } from '../hooks.js';
import { href } from '../router.js';

export function DeploymentsPage() {
  const view = useResource<DeploymentsView>(
    'deployments',
    {},
    (topic) => topic.topic === 'deployments' || topic.topic === 'endpoints',
  );
  if (view.error && !view.data) return <Problem error={view.error} />;
  if (!view.data) return <Loading />;
  const { stages, runs, waiting, runsUrl, note } = view.data;
  const waitingRun = runs.find((run) => run.number === waiting);
  return (
    <>
      <h1>Deployments</h1>
      {note ? <p class="muted">{note}</p> : null}
      <Section title="Stages">
        <div class="stages" data-testid="stages">
          {stages.map((stage, index) => (
            <div class="stage" key={stage.stage} data-stage={stage.stage} data-status={stage.endpointStatus ?? 'none'}>
              {index > 0 ? <span class="arrow">→</span> : null}
              <div class="stage-card">
                <h3>{stage.stage}</h3>
                <p>
                  <a href={href(['endpoints', stage.endpointName])}>{stage.endpointName}</a>
                </p>
                <p>
                  <Status value={stage.endpointStatus ?? 'no endpoint'} />
                </p>
                <p class="version" data-testid={`stage-version-${stage.stage}`}>
                  {stage.modelPackageArn ? (
                    <a href={href(['model'], { arn: stage.modelPackageArn })}>v{stage.version}</a>
                  ) : (
                    <span class="muted">nothing deployed</span>
                  )}
                </p>
                {stage.failureReason ? <p class="problem small">{stage.failureReason}</p> : null}
              </div>
            </div>
          ))}
        </div>
      </Section>
      {waitingRun ? <PromoteGate run={waitingRun} onDone={view.reload} /> : null}
      <Section
        title="Deploy runs"
        actions={runsUrl ? <External href={runsUrl}>GitHub Actions runs</External> : undefined}
      >
        {runs.length === 0 ? (
          <p class="muted">
            {runsUrl
              ? 'The deploy workflow runs in GitHub Actions.'
              : 'No deploy runs yet: approve a version to start one.'}
          </p>
        ) : (
          <div class="runs" data-testid="deploy-runs">
            {runs.map((run) => (
              <RunCard key={run.number} run={run} />
            ))}
          </div>
        )}
      </Section>
    </>
  );
}

function RunCard({ run }: { run: DeployRunView }) {
  const outcome = run.status === 'completed' ? (run.conclusion ?? 'completed') : run.status;
  return (
    <article class="run" data-run={run.number} data-status={run.status} data-conclusion={run.conclusion ?? ''}>
      <header>
        <strong>#{run.number}</strong> <Status value={outcome} /> <span class="muted">{run.trigger}</span>{' '}
        {run.modelPackageArn ? (
          <a href={href(['model'], { arn: run.modelPackageArn })}>{packageLabel(run.modelPackageArn)}</a>
        ) : null}
        {run.replaces ? (
          <span class="rollback">
            rollback: replaces <a href={href(['model'], { arn: run.replaces })}>{packageLabel(run.replaces)}</a>
          </span>
        ) : null}
        <span class="muted"> · {formatTime(run.created)}</span>
      </header>
      <ol class="jobs">
        {run.jobs.map((job) => (
          <li
            key={job.name}
            class={`job ${job.status}`}
            data-job={job.name}
            data-status={job.status}
            data-conclusion={job.conclusion ?? ''}
          >
            <span class="job-name">{job.name}</span>
            <Status value={job.status === 'completed' ? (job.conclusion ?? 'completed') : job.status} />
            {job.message ? <span class="job-message">{job.message}</span> : null}
          </li>
        ))}
      </ol>
    </article>
  );
}

/** The production gate: the stand-in for the production environment's required reviewers. */
function PromoteGate({ run, onDone }: { run: DeployRunView; onDone: () => void }) {
  const info = useInfo();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const gate = run.jobs.find((job) => job.status === 'waiting');
  return (
    <Section title="Waiting for promotion">
      <p data-testid="promotion-gate">
        Run #{run.number} passed{' '}
        {run.jobs
          .filter((job) => job.conclusion === 'success')
          .map((job) => job.name)
          .join(', ')}{' '}
        and waits to deploy {run.modelPackageArn ? packageLabel(run.modelPackageArn) : 'its version'} to{' '}
        {gate?.name ?? 'the next stage'}.
      </p>
      {error ? <Problem error={error} /> : null}
      {info.permissions.promote ? (
        <button
          class="primary"
          disabled={busy}
          data-testid="promote"
          onClick={async () => {
            setBusy(true);
            setError(undefined);
            try {
              await postJson('deployments/promote', {});
              onDone();
            } catch (caught) {
              setError(caught instanceof ApiError ? caught.message : String(caught));
            } finally {
              setBusy(false);
            }
          }}
        >
          Promote to {gate?.name ?? 'the next stage'}
        </button>
      ) : (
        <p class="muted">Promote with `npx slipway deploy promote`.</p>
      )}
    </Section>
  );
}
