import { useState } from 'preact/hooks';
import type { ExecutionListItem, ParameterDeclaration, PipelineListItem, PipelineView } from '../../src/views.js';
import { ApiError, postJson } from '../api.js';
import { useInfo } from '../app.js';
import { External, Loading, Problem, Section, SortableTable, Status } from '../components/common.js';
import { arnTail, formatDuration, formatTime } from '../format.js';
import { useResource } from '../hooks.js';
import { href } from '../router.js';

export function PipelinesPage() {
  const pipelines = useResource<PipelineListItem[]>('pipelines', {}, (topic) => topic.topic === 'pipelines');
  return (
    <Section title="Pipelines">
      {pipelines.error ? <Problem error={pipelines.error} /> : null}
      {!pipelines.data ? (
        <Loading />
      ) : pipelines.data.length === 0 ? (
        <p class="muted">
          No pipelines yet. Run <code>npx slipway pipeline run</code> to create and run the project's pipeline.
        </p>
      ) : (
        <SortableTable
          testId="pipelines"
          rows={pipelines.data}
          rowKey={(row) => row.arn}
          initialSort={{ key: 'last', descending: true }}
          columns={[
            {
              key: 'name',
              title: 'Pipeline',
              render: (row) => <a href={href(['pipelines', row.name])}>{row.displayName ?? row.name}</a>,
              sortValue: (row) => row.name,
            },
            { key: 'status', title: 'Last execution', render: (row) => <Status value={row.lastExecution?.status} /> },
            {
              key: 'last',
              title: 'Last run',
              render: (row) =>
                row.lastExecution ? (
                  <a href={href(['execution'], { arn: row.lastExecution.arn })}>
                    {formatTime(row.lastExecution.started)}
                  </a>
                ) : (
                  '—'
                ),
              sortValue: (row) => row.lastExecution?.started,
            },
            {
              key: 'created',
              title: 'Created',
              render: (row) => formatTime(row.created),
              sortValue: (row) => row.created,
            },
            { key: 'description', title: 'Description', render: (row) => row.description ?? '' },
          ]}
        />
      )}
    </Section>
  );
}

export function PipelinePage({ name }: { name: string }) {
  const view = useResource<PipelineView>(
    'pipeline',
    { name },
    (topic) => (topic.topic === 'pipeline' && topic.name === name) || topic.topic === 'execution',
  );
  const [chosen, setChosen] = useState<string[]>([]);
  const [version, setVersion] = useState<number>();
  if (view.error && !view.data) return <Problem error={view.error} />;
  if (!view.data) return <Loading />;
  const { pipeline, versions, parameters } = view.data;
  const executions =
    version === undefined
      ? view.data.executions
      : view.data.executions.filter((execution) => execution.version === version);
  const toggle = (arn: string) =>
    setChosen((current) =>
      current.includes(arn) ? current.filter((item) => item !== arn) : [...current, arn].slice(-2),
    );
  return (
    <>
      <p class="crumbs">
        <a href="#/pipelines">Pipelines</a> / {pipeline.name}
      </p>
      <h1>{pipeline.displayName ?? pipeline.name}</h1>
      {pipeline.description ? <p>{pipeline.description}</p> : null}
      <StartExecution name={pipeline.name} parameters={parameters} latestVersion={versions[0]?.version} />
      <Section title="Versions">
        {versions.length === 0 ? (
          <p class="muted">The service lists no versions.</p>
        ) : (
          <table class="table" data-testid="versions">
            <thead>
              <tr>
                <th>Version</th>
                <th>Created</th>
                <th>Last execution</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((item) => (
                <tr key={item.version}>
                  <td>
                    <button
                      class="link"
                      onClick={() => setVersion(item.version)}
                      title="show this version's executions"
                    >
                      v{item.version}
                    </button>
                  </td>
                  <td>{formatTime(item.created)}</td>
                  <td>
                    {item.lastExecutionArn ? (
                      <a href={href(['execution'], { arn: item.lastExecutionArn })}>{arnTail(item.lastExecutionArn)}</a>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section
        title={version === undefined ? 'Executions' : `Executions of v${version}`}
        actions={
          version !== undefined ? (
            <button class="small" onClick={() => setVersion(undefined)}>
              Show every version
            </button>
          ) : chosen.length === 2 ? (
            <a class="button" href={href(['compare'], { a: chosen[0], b: chosen[1] })} data-testid="compare-link">
              Compare the two
            </a>
          ) : (
            <span class="muted">tick two to compare</span>
          )
        }
      >
        <ExecutionsTable executions={executions} chosen={chosen} toggle={toggle} />
      </Section>
    </>
  );
}

function ExecutionsTable({
  executions,
  chosen,
  toggle,
}: {
  executions: readonly ExecutionListItem[];
  chosen: readonly string[];
  toggle: (arn: string) => void;
}) {
  if (executions.length === 0) return <p class="muted">No executions yet.</p>;
  return (
    <SortableTable
      testId="executions"
      rows={executions}
      rowKey={(row) => row.arn}
      initialSort={{ key: 'started', descending: true }}
      columns={[
        {
          key: 'pick',
          title: '',
          render: (row) => (
            <input
              type="checkbox"
              aria-label={`compare ${arnTail(row.arn)}`}
              checked={chosen.includes(row.arn)}
              onChange={() => toggle(row.arn)}
            />
          ),
        },
        {
          key: 'execution',
          title: 'Execution',
          render: (row) => <a href={href(['execution'], { arn: row.arn })}>{row.displayName ?? arnTail(row.arn)}</a>,
        },
        {
          key: 'status',
          title: 'Status',
          render: (row) => <Status value={row.status} />,
          sortValue: (row) => row.status,
        },
        { key: 'started', title: 'Started', render: (row) => formatTime(row.started), sortValue: (row) => row.started },
        {
          key: 'duration',
          title: 'Duration',
          render: (row) => formatDuration(row.durationMs),
          sortValue: (row) => row.durationMs,
          numeric: true,
        },
        { key: 'version', title: 'Version', render: (row) => (row.version ? `v${row.version}` : '—') },
        { key: 'by', title: 'Started by', render: (row) => row.createdBy ?? '—' },
        { key: 'source', title: 'Source', render: (row) => <SourceLink source={row.source} /> },
        { key: 'parameters', title: 'Parameters', render: (row) => <ParameterSummary values={row.parameters} /> },
      ]}
    />
  );
}

export function SourceLink({ source }: { source: ExecutionListItem['source'] }) {
  if (!source?.revision) return <span class="muted">—</span>;
  const short = source.revision.slice(0, 12);
  return (
    <span>
      {source.commitUrl ? <External href={source.commitUrl}>{short}</External> : <code>{short}</code>}
      {source.runUrl ? (
        <>
          {' '}
          (<External href={source.runUrl}>run</External>)
        </>
      ) : null}
    </span>
  );
}

function ParameterSummary({ values }: { values: Readonly<Record<string, string>> }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <details class="parameters">
      <summary>{entries.length} parameters</summary>
      <dl>
        {entries.map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

/** The start form: one input per declared parameter, typed (numbers, enums as a choice), defaults shown. */
function StartExecution({
  name,
  parameters,
  latestVersion,
}: {
  name: string;
  parameters: readonly ParameterDeclaration[];
  latestVersion: number | undefined;
}) {
  const info = useInfo();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (!info.permissions.execute) return null;
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const changed = Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim() !== ''));
      const started = await postJson<{ arn: string }>('pipeline/start', { name, parameters: changed });
      location.hash = href(['execution'], { arn: started.arn });
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };
  if (!open) {
    return (
      <p>
        <button class="primary" onClick={() => setOpen(true)} data-testid="start-execution">
          Start an execution
        </button>
      </p>
    );
  }
  return (
    <Section title={`Start an execution${latestVersion ? ` of v${latestVersion}` : ''}`}>
      <form class="form" onSubmit={submit} data-testid="start-form">
        {parameters.map((parameter) => (
          <label key={parameter.name}>
            <span>
              {parameter.name} <span class="muted">{parameter.type}</span>
            </span>
            {parameter.enumValues ? (
              <select
                name={parameter.name}
                value={values[parameter.name] ?? parameter.defaultValue ?? ''}
                onChange={(event) =>
                  setValues({ ...values, [parameter.name]: (event.target as HTMLSelectElement).value })
                }
              >
                {parameter.enumValues.map((value) => (
                  <option key={value} value={value}>
                    {value}
                  </option>
                ))}
              </select>
            ) : parameter.type === 'Boolean' ? (
              <select
                name={parameter.name}
                value={values[parameter.name] ?? parameter.defaultValue ?? 'false'}
                onChange={(event) =>
                  setValues({ ...values, [parameter.name]: (event.target as HTMLSelectElement).value })
                }
              >
                <option value="true">true</option>
                <option value="false">false</option>
              </select>
            ) : parameter.type === 'String' ? (
              <input
                name={parameter.name}
                type="text"
                placeholder={parameter.defaultValue ?? ''}
                value={values[parameter.name] ?? ''}
                onInput={(event) =>
                  setValues({ ...values, [parameter.name]: (event.target as HTMLInputElement).value })
                }
              />
            ) : (
              <input
                name={parameter.name}
                type="number"
                step={parameter.type === 'Integer' ? '1' : 'any'}
                placeholder={parameter.defaultValue ?? ''}
                value={values[parameter.name] ?? ''}
                onInput={(event) =>
                  setValues({ ...values, [parameter.name]: (event.target as HTMLInputElement).value })
                }
              />
            )}
          </label>
        ))}
        {error ? <Problem error={error} /> : null}
        <div class="actions">
          <button class="primary" type="submit" disabled={busy}>
            {busy ? 'Starting…' : 'Start'}
          </button>
          <button type="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      </form>
    </Section>
  );
}
