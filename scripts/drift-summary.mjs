#!/usr/bin/env node
// The build workflow's job summary when a drift started it (repository_dispatch `model-drift-detected`, sent by
// the drift route; README "Monitoring: drift → retrain"): which endpoint drifted, from which live version, and
// which statistics moved by how much. Plain Node, no packages. The payload comes in through the environment
// (never through `${{ }}` in a shell line): it is data from an event, not code.
//
//   DRIFT_PAYLOAD='${{ toJSON(github.event.client_payload) }}' node scripts/drift-summary.mjs >> "$GITHUB_STEP_SUMMARY"
import { pathToFileURL } from 'node:url';

/** Markdown-safe text: no table breaks, no HTML, no links a payload could smuggle in. */
function cell(value) {
  return String(value ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[|<>[\]`]/g, (char) => `&#${char.charCodeAt(0)};`)
    .slice(0, 300);
}

function number(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(4) : cell(value);
}

/**
 * @param {unknown} payload the dispatch's client_payload
 * @returns {string}
 */
export function renderDriftSummary(payload) {
  const body = typeof payload === 'object' && payload !== null ? /** @type {Record<string, unknown>} */ (payload) : {};
  const drifted = Array.isArray(body.drifted) ? body.drifted : [];
  const lines = [
    '## Retraining: the live model’s traffic drifted',
    '',
    `Endpoint \`${cell(body.endpoint_name)}\`, serving ${cell(body.model_package_arn)}; drift check ${cell(body.check_id)}` +
      ` (window ending ${cell(body.window_end)}); reports in ${cell(body.report_s3_uri)}.`,
    '',
  ];
  if (drifted.length === 0) {
    lines.push('The dispatch named no drifted statistic: see the reports.');
  } else {
    lines.push('| statistic | method | distance | threshold | change |', '|---|---|---|---|---|');
    for (const item of drifted) {
      const statistic = typeof item === 'object' && item !== null ? item : {};
      lines.push(
        `| ${cell(statistic.feature)} | ${cell(statistic.method)} | ${number(statistic.distance)} | ${number(statistic.threshold)} | ${cell(statistic.change)} |`,
      );
    }
  }
  lines.push('', 'The version this run registers waits for approval (PendingManualApproval), as every build’s does.');
  return `${lines.join('\n')}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let payload;
  try {
    payload = JSON.parse(process.env.DRIFT_PAYLOAD ?? '{}');
  } catch (error) {
    process.stderr.write(`drift-summary: DRIFT_PAYLOAD is not JSON (${error.message}); writing what is known\n`);
    payload = {};
  }
  process.stdout.write(renderDriftSummary(payload));
}
