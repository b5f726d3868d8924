import type { PipelineDefinition, StepType } from '../definition/types.js';
import { allSteps, pipelineGraph, type GraphNode } from './definition-graph.js';
import type { EvaluationReport } from './evaluation-report.js';
import { arnTail, formatDuration, formatMetric, stepDuration } from './format.js';
import type { RunPipelineResult } from './run-pipeline.js';
import type { StepRecord } from './run-types.js';

/** Where the run went: decides how the approval instructions read. */
export interface SummaryContext {
  /** The local server's (or moto's) URL; absent for AWS. */
  readonly endpoint?: string;
}

type StepClass = 'succeeded' | 'cached' | 'failed' | 'running' | 'stopped' | 'notrun' | 'pending';

/** GitHub's palette, so the diagram reads in light and dark themes. */
const CLASS_STYLES: Record<StepClass, string> = {
  succeeded: 'fill:#dafbe1,stroke:#1a7f37,color:#1f2328',
  cached: 'fill:#ddf4ff,stroke:#0969da,color:#1f2328',
  failed: 'fill:#ffebe9,stroke:#cf222e,color:#1f2328',
  running: 'fill:#fff8c5,stroke:#9a6700,color:#1f2328',
  stopped: 'fill:#eaeef2,stroke:#57606a,color:#1f2328',
  notrun: 'fill:#f6f8fa,stroke:#d0d7de,color:#8c959f,stroke-dasharray:4 3',
  pending: 'fill:#ffffff,stroke:#8c959f,color:#1f2328',
};

const STATUS_ICONS: Record<StepClass, string> = {
  succeeded: '✅',
  cached: '♻️',
  failed: '❌',
  running: '⏳',
  stopped: '⏹️',
  notrun: '⚪',
  pending: '⚪',
};

function stepClass(step: StepRecord | undefined, followed: boolean): StepClass {
  if (!step) return followed ? 'notrun' : 'pending';
  switch (step.status) {
    case 'Succeeded':
      return step.cacheHitSource ? 'cached' : 'succeeded';
    case 'Failed':
      return 'failed';
    case 'Stopped':
    case 'Stopping':
      return 'stopped';
    default:
      return 'running';
  }
}

/** Text safe inside a Mermaid quoted label. */
function mermaidText(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/[<>]/g, ' ');
}

function nodeShape(type: StepType, label: string): string {
  const quoted = `"${label}"`;
  switch (type) {
    case 'Condition':
      return `{{${quoted}}}`;
    case 'Fail':
      return `>${quoted}]`;
    case 'RegisterModel':
    case 'Model':
      return `([${quoted}])`;
    default:
      return `[${quoted}]`;
  }
}

/**
 * The DAG as a Mermaid flowchart: one node per step (condition branches included, edges labelled if/else),
 * coloured by the step's status through one classDef per status.
 */
export function renderMermaid(
  definition: Pick<PipelineDefinition, 'Steps'>,
  steps: readonly StepRecord[] = [],
  followed = steps.length > 0,
): string {
  const graph = pipelineGraph(definition);
  const byName = new Map(steps.map((step) => [step.name, step]));
  const ids = new Map(graph.nodes.map((node, index) => [node.name, `s${index}`]));
  const used = new Set<StepClass>();
  const lines = ['flowchart LR'];
  const label = (node: GraphNode, step: StepRecord | undefined) => {
    const duration = step ? stepDuration(step) : undefined;
    const detail = step
      ? [step.cacheHitSource ? 'cache hit' : step.status, duration !== undefined ? formatDuration(duration) : '']
          .filter((part) => part.length > 0)
          .join(' · ')
      : node.type;
    return `${mermaidText(node.name)}<br/>${mermaidText(detail)}`;
  };
  for (const node of graph.nodes) {
    const step = byName.get(node.name);
    const css = stepClass(step, followed);
    used.add(css);
    lines.push(`  ${ids.get(node.name)}${nodeShape(node.type, label(node, step))}:::${css}`);
  }
  for (const edge of graph.edges) {
    const arrow = edge.label ? ` -->|${edge.label === 'if' ? 'if true' : 'else'}| ` : ' --> ';
    lines.push(`  ${ids.get(edge.from)}${arrow}${ids.get(edge.to)}`);
  }
  for (const css of used) lines.push(`  classDef ${css} ${CLASS_STYLES[css]}`);
  return lines.join('\n');
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').trim();
}

/** One row per step of the definition: status, duration, cache hit, failure reason. */
export function renderStepTable(
  definition: Pick<PipelineDefinition, 'Steps'>,
  steps: readonly StepRecord[],
  followed: boolean,
): string {
  const byName = new Map(steps.map((step) => [step.name, step]));
  const rows = allSteps(definition).map((definitionStep) => {
    const step = byName.get(definitionStep.Name);
    const css = stepClass(step, followed);
    const status = step ? step.status : followed ? 'not run' : 'pending';
    const duration = step ? stepDuration(step) : undefined;
    const cache = step?.cacheHitSource ? `hit (from \`${arnTail(step.cacheHitSource)}\`)` : step ? 'no' : '';
    return `| ${cell(definitionStep.Name)} | ${definitionStep.Type} | ${STATUS_ICONS[css]} ${status} | ${
      duration !== undefined ? formatDuration(duration) : ''
    } | ${cache} | ${cell(step?.failureReason ?? '')} |`;
  });
  return ['| Step | Type | Status | Duration | Cache | Failure reason |', '|---|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}

interface MetricValue {
  readonly value: unknown;
  readonly standard_deviation?: unknown;
}

function isMetricValue(value: unknown): value is MetricValue {
  return typeof value === 'object' && value !== null && 'value' in value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An evaluation report in the SageMaker model-quality style (`<kind>_metrics: {name: {value,
 * standard_deviation}}`): scalar metrics, per-class metrics side by side, and the confusion matrix.
 */
export function renderEvaluationReport(report: EvaluationReport): string {
  const heading = `**${report.stepName} → ${report.propertyFile}** (\`${report.s3Uri}\`)`;
  if (!isRecord(report.document)) return `${heading}: ${report.problem ?? 'not a JSON object'}`;
  const parts: string[] = [heading];
  for (const [kind, group] of Object.entries(report.document)) {
    if (!isRecord(group)) continue;
    const scalars = Object.entries(group).filter(([, value]) => isMetricValue(value)) as [string, MetricValue][];
    if (scalars.length > 0) {
      parts.push(
        `\n${kind.replace(/_/g, ' ')}\n\n| Metric | Value | Std. dev. |\n|---|---|---|\n${scalars
          .map(
            ([name, metric]) =>
              `| ${name} | ${formatMetric(metric.value)} | ${
                metric.standard_deviation === undefined ? '' : formatMetric(metric.standard_deviation)
              } |`,
          )
          .join('\n')}`,
      );
    }
    const byClass = Object.entries(group).filter(
      ([name, value]) => name.endsWith('_by_class') && isRecord(value) && Object.values(value).every(isMetricValue),
    ) as [string, Record<string, MetricValue>][];
    if (byClass.length > 0) {
      const classes = [...new Set(byClass.flatMap(([, values]) => Object.keys(values)))];
      parts.push(
        `\n| Class | ${byClass.map(([name]) => name.replace(/_by_class$/, '')).join(' | ')} |\n|---|${byClass
          .map(() => '---|')
          .join('')}\n${classes
          .map(
            (name) =>
              `| ${name} | ${byClass.map(([, values]) => formatMetric(values[name]?.value ?? '')).join(' | ')} |`,
          )
          .join('\n')}`,
      );
    }
    const matrix = group['confusion_matrix'];
    if (isRecord(matrix)) {
      const actual = Object.keys(matrix);
      const predicted = [
        ...new Set(actual.flatMap((row) => (isRecord(matrix[row]) ? Object.keys(matrix[row] as object) : []))),
      ];
      parts.push(
        `\nConfusion matrix (rows: actual, columns: predicted)\n\n| | ${predicted.join(' | ')} |\n|---|${predicted
          .map(() => '---|')
          .join('')}\n${actual
          .map((row) => {
            const counts = isRecord(matrix[row]) ? (matrix[row] as Record<string, unknown>) : {};
            return `| **${row}** | ${predicted.map((column) => formatMetric(counts[column] ?? 0)).join(' | ')} |`;
          })
          .join('\n')}`,
      );
    }
  }
  return parts.join('\n');
}

/** How to approve a registered package: console, AWS CLI and Slipway. */
export function renderApproval(result: RunPipelineResult, context: SummaryContext): string {
  const arn = result.modelPackageArn;
  if (!arn) return '';
  const status = result.modelApprovalStatus ?? 'PendingManualApproval';
  const group = arn.split('/').slice(-2, -1)[0] ?? '';
  const version = arnTail(arn);
  const endpoint = context.endpoint ? ` --endpoint-url ${context.endpoint}` : '';
  const lines = ['### Registered model package', '', `\`${arn}\` (version ${version} of \`${group}\`): **${status}**`];
  if (status !== 'PendingManualApproval') return lines.join('\n');
  lines.push(
    '',
    'Approving it deploys this exact version (the deploy workflow picks up the approval event). Approve it with one of:',
    '',
  );
  if (!context.endpoint) {
    const console = `https://${result.region}.console.aws.amazon.com/sagemaker/home?region=${result.region}`;
    lines.push(
      `- SageMaker Studio → Models → Registered models → \`${group}\` → version ${version} → Update status ([SageMaker console](${console}))`,
    );
  }
  lines.push(
    '- the AWS CLI:',
    '  ```sh',
    `  aws sagemaker update-model-package${endpoint} --region ${result.region} \\`,
    `    --model-package-arn ${arn} \\`,
    `    --model-approval-status Approved --approval-description "Reviewed the metrics of ${arnTail(result.executionArn)}"`,
    '  ```',
    `- Slipway: \`npx slipway registry approve ${arn}\``,
  );
  return lines.join('\n');
}

const STATUS_HEADLINE: Record<string, string> = {
  Succeeded: '✅ Succeeded',
  Failed: '❌ Failed',
  Stopped: '⏹️ Stopped',
  Stopping: '⏹️ Stopping',
  Executing: '⏳ Executing',
};

/** The job summary: headline, DAG, step table, evaluation metrics, quality bar and the model package. */
export function renderRunSummary(result: RunPipelineResult, context: SummaryContext = {}): string {
  const parts: string[] = [];
  const status = STATUS_HEADLINE[result.status] ?? result.status;
  const elapsed =
    result.startedAt && result.endedAt
      ? ` in ${formatDuration(result.endedAt.getTime() - result.startedAt.getTime())}`
      : '';
  parts.push(
    `## Pipeline \`${result.pipelineName}\`: ${status}${result.timedOut ? ' (still running at the timeout)' : ''}`,
  );
  parts.push(
    `Execution \`${result.executionArn}\`${elapsed}${context.endpoint ? ` on the local server ${context.endpoint}` : ` in ${result.region}`}`,
  );
  if (result.failureReason) parts.push(`> **Failure reason:** ${result.failureReason.replace(/\r?\n/g, ' ')}`);
  if (!result.followed) {
    parts.push(
      `Not followed (\`wait: false\`). Follow it with \`npx slipway pipeline status ${result.executionArn}\`.`,
    );
  }
  parts.push(`\`\`\`mermaid\n${renderMermaid(result.definition, result.steps, result.followed)}\n\`\`\``);
  parts.push(renderStepTable(result.definition, result.steps, result.followed));
  if (result.evaluation.length > 0) {
    parts.push(`### Evaluation\n\n${result.evaluation.map(renderEvaluationReport).join('\n\n')}`);
  }
  if (result.qualityBar) {
    const bar = result.qualityBar;
    parts.push(
      bar.champion
        ? `**Quality bar:** MinAccuracy ${formatMetric(bar.effective)} (configured ${formatMetric(bar.given)}; the newest approved version \`${bar.champion.modelPackageArn}\` scored ${formatMetric(bar.champion.accuracy)})`
        : `**Quality bar:** MinAccuracy ${formatMetric(bar.given)} (no approved version to compare with yet)`,
    );
  }
  const approval = renderApproval(result, context);
  if (approval) parts.push(approval);
  const overrides = Object.entries(result.parameters);
  if (overrides.length > 0) {
    parts.push(
      `<details><summary>Parameters</summary>\n\n| Name | Value |\n|---|---|\n${overrides
        .map(([name, value]) => `| ${name} | ${cell(value)} |`)
        .join('\n')}\n\n</details>`,
    );
  }
  return `${parts.join('\n\n')}\n`;
}
