import { useState } from 'preact/hooks';
import type { ModelGroupItem, ModelGroupView, ModelVersionView } from '../../src/views.js';
import { ApiError, postJson } from '../api.js';
import { useInfo } from '../app.js';
import { ConfusionHeatmap } from '../components/charts.js';
import { JsonView, Loading, Problem, Section, SortableTable, Status, type Column } from '../components/common.js';
import { arnTail, formatMetric, formatTime } from '../format.js';
import { useResource } from '../hooks.js';
import { href } from '../router.js';
import { SourceLink } from './pipelines-page.js';

export function RegistryPage() {
  const groups = useResource<ModelGroupItem[]>('registry', {}, (topic) => topic.topic === 'registry');
  return (
    <Section title="Model package groups">
      {groups.error ? <Problem error={groups.error} /> : null}
      {!groups.data ? (
        <Loading />
      ) : groups.data.length === 0 ? (
        <p class="muted">No model package groups yet: a pipeline's RegisterModel step creates its group.</p>
      ) : (
        <table class="table" data-testid="model-groups">
          <thead>
            <tr>
              <th>Group</th>
              <th>Created</th>
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {groups.data.map((group) => (
              <tr key={group.arn}>
                <td>
                  <a href={href(['registry', group.name])}>{group.name}</a>
                </td>
                <td>{formatTime(group.created)}</td>
                <td>{group.description ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export function ModelGroupPage({ name }: { name: string }) {
  const view = useResource<ModelGroupView>('model-group', { name }, (topic) => topic.topic === 'registry');
  if (view.error && !view.data) return <Problem error={view.error} />;
  if (!view.data) return <Loading />;
  const { group, versions, metricNames } = view.data;
  type Row = ModelGroupView['versions'][number];
  const columns: Column<Row>[] = [
    {
      key: 'version',
      title: 'Version',
      render: (row) => <a href={href(['model'], { arn: row.arn })}>v{row.version}</a>,
      sortValue: (row) => row.version,
      numeric: true,
    },
    {
      key: 'status',
      title: 'Approval',
      render: (row) => <Status value={row.approvalStatus} />,
      sortValue: (row) => row.approvalStatus,
    },
    ...metricNames.map((metric): Column<Row> => ({
      key: `metric:${metric}`,
      title: metric,
      render: (row) => formatMetric(row.metrics[metric]),
      sortValue: (row) => row.metrics[metric],
      numeric: true,
    })),
    { key: 'created', title: 'Created', render: (row) => formatTime(row.created), sortValue: (row) => row.created },
    {
      key: 'lineage',
      title: 'Lineage',
      render: (row) => (
        <span>
          {row.executionArn ? (
            <a href={href(['execution'], { arn: row.executionArn })}>{arnTail(row.executionArn)}</a>
          ) : (
            '—'
          )}{' '}
          <SourceLink source={row.source} />
        </span>
      ),
    },
  ];
  return (
    <>
      <p class="crumbs">
        <a href="#/registry">Model registry</a> / {group.name}
      </p>
      <h1>{group.name}</h1>
      {group.description ? <p>{group.description}</p> : null}
      <Section title={`Versions (${versions.length})`}>
        {versions.length === 0 ? (
          <p class="muted">No versions yet.</p>
        ) : (
          <SortableTable
            testId="model-versions"
            rows={versions}
            rowKey={(row) => row.arn}
            columns={columns}
            initialSort={{ key: 'version', descending: true }}
          />
        )}
      </Section>
    </>
  );
}

export function ModelVersionPage({ arn }: { arn: string }) {
  const view = useResource<ModelVersionView>(
    'model-version',
    { arn },
    (topic) => topic.topic === 'registry' || topic.topic === 'endpoints',
  );
  if (view.error && !view.data) return <Problem error={view.error} />;
  if (!view.data) return <Loading />;
  const { version, evaluation, inferenceSpecification, lineage, history, historyComplete, servedBy } = view.data;
  return (
    <>
      <p class="crumbs">
        <a href="#/registry">Model registry</a> /{' '}
        <a href={href(['registry', version.groupName])}>{version.groupName}</a> / v{version.version}
      </p>
      <div class="title-row">
        <h1>
          {version.groupName} v{version.version} <Status value={version.approvalStatus} />
        </h1>
        {servedBy.length > 0 ? <span class="served">live in {servedBy.join(', ')}</span> : null}
      </div>
      {version.description ? <p>{version.description}</p> : null}
      <Approval view={view.data} onDone={view.reload} />
      <Section title="Evaluation">
        {!evaluation ? (
          <p class="muted">This version was registered without ModelMetrics.ModelQuality.Statistics.</p>
        ) : evaluation.problem ? (
          <Problem error={evaluation.problem} />
        ) : (
          <div class="evaluation">
            <dl class="facts" data-testid="metrics">
              {Object.entries(evaluation.metrics).map(([name, value]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd>{formatMetric(value)}</dd>
                </div>
              ))}
            </dl>
            {evaluation.perClass.length > 0 ? (
              <table class="table" data-testid="per-class">
                <thead>
                  <tr>
                    <th>Class</th>
                    <th class="num">Precision</th>
                    <th class="num">Recall</th>
                    <th class="num">F1</th>
                  </tr>
                </thead>
                <tbody>
                  {evaluation.perClass.map((row) => (
                    <tr key={row.label}>
                      <th>{row.label}</th>
                      <td class="num">{formatMetric(row.precision)}</td>
                      <td class="num">{formatMetric(row.recall)}</td>
                      <td class="num">{formatMetric(row.f1)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            {evaluation.confusion ? (
              <div>
                <h3>Confusion matrix</h3>
                <ConfusionHeatmap labels={evaluation.confusion.labels} rows={evaluation.confusion.rows} />
              </div>
            ) : null}
            <p class="muted">
              From <a href={href(['object'], { uri: evaluation.uri })}>{evaluation.uri}</a>
            </p>
          </div>
        )}
      </Section>
      <Section title="Lineage">
        <dl class="facts" data-testid="lineage">
          <div>
            <dt>Execution</dt>
            <dd>
              {lineage.executionArn ? (
                <a href={href(['execution'], { arn: lineage.executionArn })}>
                  {lineage.pipelineName} / {arnTail(lineage.executionArn)}
                </a>
              ) : (
                '—'
              )}
            </dd>
          </div>
          <div>
            <dt>Commit</dt>
            <dd>
              <SourceLink source={lineage.source} />
            </dd>
          </div>
          <div>
            <dt>Workflow run</dt>
            <dd>
              {lineage.source?.runUrl ? (
                <a href={lineage.source.runUrl} target="_blank" rel="noopener noreferrer">
                  {lineage.source.runUrl}
                </a>
              ) : (
                '—'
              )}
            </dd>
          </div>
          <div>
            <dt>Model data</dt>
            <dd>
              {lineage.modelDataUrl ? (
                <a href={href(['object'], { uri: lineage.modelDataUrl })}>{lineage.modelDataUrl}</a>
              ) : (
                '—'
              )}
            </dd>
          </div>
          <div>
            <dt>Image</dt>
            <dd>{lineage.image ?? '—'}</dd>
          </div>
        </dl>
      </Section>
      <Section title="Approval history">
        <table class="table" data-testid="approval-history">
          <thead>
            <tr>
              <th>When</th>
              <th>Status</th>
              <th>Who</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {history.map((entry, index) => (
              <tr key={index}>
                <td>{formatTime(entry.time)}</td>
                <td>
                  {entry.previousStatus ? (
                    <>
                      <Status value={entry.previousStatus} /> →{' '}
                    </>
                  ) : null}
                  <Status value={entry.newStatus} />
                </td>
                <td>{entry.actor}</td>
                <td>{entry.description ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {historyComplete ? null : (
          <p class="muted">
            SageMaker keeps only the current status; CloudTrail's UpdateModelPackage events have the rest.
          </p>
        )}
      </Section>
      <Section title="Inference specification">
        <JsonView value={inferenceSpecification} open={2} />
      </Section>
    </>
  );
}

/** Approve or reject, with a reason: UpdateModelPackage, so the same event starts the same deploy. */
function Approval({ view, onDone }: { view: ModelVersionView; onDone: () => void }) {
  const info = useInfo();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  if (!info.permissions.approve) {
    return info.mode === 'aws' ? (
      <p class="muted">Read-only: start the console with `--allow-approve` to approve or reject here.</p>
    ) : null;
  }
  const decide = async (status: 'Approved' | 'Rejected') => {
    setBusy(true);
    setError(undefined);
    try {
      await postJson('model-version/approval', { arn: view.version.arn, status, reason });
      setDone(`${status}${status === 'Approved' && info.features.deployRuns ? ': the deploy workflow starts' : ''}.`);
      setReason('');
      onDone();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Approval">
      <form class="form single" onSubmit={(event) => event.preventDefault()} data-testid="approval-form">
        <label>
          <span>Reason (kept with the version)</span>
          <textarea
            name="reason"
            rows={2}
            maxLength={1024}
            value={reason}
            placeholder="e.g. accuracy and per-class recall reviewed"
            onInput={(event) => setReason((event.target as HTMLTextAreaElement).value)}
          />
        </label>
        {error ? <Problem error={error} /> : null}
        {done ? <p class="done">{done}</p> : null}
        <div class="actions">
          <button
            class="primary"
            disabled={busy || reason.trim() === '' || view.version.approvalStatus === 'Approved'}
            onClick={() => decide('Approved')}
            data-testid="approve"
          >
            Approve
          </button>
          <button
            class="danger"
            disabled={busy || reason.trim() === '' || view.version.approvalStatus === 'Rejected'}
            onClick={() => decide('Rejected')}
            data-testid="reject"
          >
            Reject
          </button>
        </div>
      </form>
    </Section>
  );
}
