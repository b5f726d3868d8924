import type * as Core from '@actions/core';

/**
 * A typed stand-in for the parts of `@actions/core` the actions use, recording what they did. Tests
 * register it with `jest.unstable_mockModule('@actions/core', () => fake.module)` before importing main.
 */
export interface CoreFake {
  readonly inputs: Record<string, string>;
  readonly outputs: Record<string, string>;
  readonly infos: string[];
  readonly failures: string[];
  readonly warnings: string[];
  /** The summary as written, flattened to text. */
  summaryText(): string;
  /** Starts a new run: these inputs, nothing recorded. */
  reset(inputs: Record<string, string>): void;
  readonly module: Pick<typeof Core, 'getInput' | 'setOutput' | 'setFailed' | 'info' | 'warning' | 'debug' | 'summary'>;
}

export function createCoreFake(initialInputs: Record<string, string> = {}): CoreFake {
  const state = { inputs: { ...initialInputs }, outputs: {} as Record<string, string> };
  const infos: string[] = [];
  const failures: string[] = [];
  const warnings: string[] = [];
  const parts: string[] = [];
  const summary = {
    addHeading(text: string) {
      parts.push(`# ${text}`);
      return summary;
    },
    addTable(rows: (string | { data: string })[][]) {
      for (const row of rows) parts.push(row.map((cell) => (typeof cell === 'string' ? cell : cell.data)).join(' | '));
      return summary;
    },
    addList(items: string[]) {
      for (const item of items) parts.push(`- ${item}`);
      return summary;
    },
    addDetails(label: string, content: string) {
      parts.push(`${label}: ${content}`);
      return summary;
    },
    addRaw(text: string) {
      parts.push(text);
      return summary;
    },
    async write() {
      return summary;
    },
  };
  return {
    get inputs() {
      return state.inputs;
    },
    get outputs() {
      return state.outputs;
    },
    infos,
    failures,
    warnings,
    summaryText: () => parts.join('\n'),
    reset(next) {
      state.inputs = { ...next };
      state.outputs = {};
      for (const list of [infos, failures, warnings, parts]) list.length = 0;
    },
    module: {
      getInput: (name: string) => state.inputs[name] ?? '',
      setOutput: (name: string, value: unknown) => void (state.outputs[name] = String(value)),
      setFailed: (message: string | Error) => void failures.push(message instanceof Error ? message.message : message),
      info: (message: string) => void infos.push(message),
      warning: (message: string | Error) => void warnings.push(message instanceof Error ? message.message : message),
      // Debug lines are hidden on the runner unless debug logging is on; the tests do not read them.
      debug: () => undefined,
      summary: summary as unknown as typeof Core.summary,
    },
  };
}
