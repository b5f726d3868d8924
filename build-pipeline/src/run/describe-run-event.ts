import { arnTail, formatDuration, stepDuration } from './format.js';
import type { RunEvent } from './run-types.js';

/** One log line per event, the same words in the action's log and the CLI's plain output. */
export function describeRunEvent(event: RunEvent): string {
  switch (event.kind) {
    case 'compiled':
      return `Compiled ${event.pipelineName}: ${event.steps} steps, ${event.assets} assets`;
    case 'warning':
      return `Warning: ${event.message}`;
    case 'model-card':
      return `Wrote the model card of ${event.modelPackageArn} (Draft): npx slipway registry card ${event.modelPackageArn}`;
    case 'bucket-created':
      return `Created the bucket ${event.bucket}`;
    case 'asset':
      return event.uploaded ? `Uploaded ${event.key} (${event.size} bytes)` : `Already in S3: ${event.key}`;
    case 'group':
      return event.created
        ? `Created the model package group ${event.name}`
        : `Model package group ${event.name} exists`;
    case 'champion':
      return event.modelPackageArn
        ? `Approved champion ${event.modelPackageArn} has accuracy ${event.accuracy}; MinAccuracy ${event.given} → ${event.minAccuracy}`
        : `No approved model package yet; MinAccuracy stays ${event.given}`;
    case 'pipeline':
      return `${event.action === 'created' ? 'Created' : 'Updated'} the pipeline ${event.arn}`;
    case 'started': {
      const overrides = Object.entries(event.parameters).map(([name, value]) => `${name}=${value}`);
      return `Started ${event.executionArn}${overrides.length > 0 ? ` with ${overrides.join(', ')}` : ''}`;
    }
    case 'step': {
      const step = event.step;
      const duration = step.endTime ? stepDuration(step) : undefined;
      const details = [
        duration !== undefined ? formatDuration(duration) : '',
        step.cacheHitSource ? `cache hit from ${arnTail(step.cacheHitSource)}` : '',
        step.attemptCount !== undefined && step.attemptCount > 1 ? `attempt ${step.attemptCount}` : '',
        step.failureReason ?? '',
      ].filter((detail) => detail.length > 0);
      return `Step ${step.name}: ${event.previous ? `${event.previous} → ` : ''}${step.status}${
        details.length > 0 ? ` (${details.join('; ')})` : ''
      }`;
    }
    case 'status':
      return `Execution: ${event.previous ? `${event.previous} → ` : ''}${event.status}`;
    case 'throttled':
      return `Throttled on ${event.operation}; next poll in ${formatDuration(event.retryInMs)}`;
  }
}
