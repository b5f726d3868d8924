/**
 * Regions where SageMaker Debugger and its profiler are unavailable (the Python SDK's
 * DEBUGGER_UNSUPPORTED_REGIONS / PROFILER_UNSUPPORTED_REGIONS, commercial regions only): there the SDK emits no
 * DebugHookConfig and a disabled profiler.
 */
export const DEBUGGER_UNSUPPORTED_REGIONS: ReadonlySet<string> = new Set([
  'ap-southeast-3',
  'ap-southeast-4',
  'eu-south-2',
  'me-central-1',
  'ap-south-2',
  'eu-central-2',
]);
