import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '../../deploy-pipeline/test/support/moto-server.js';
import { runCli } from './support.js';

describe('slipway bootstrap --stage', () => {
  it('refuses a stage that has no account of its own, before asking for a token or calling AWS', async () => {
    const result = await runCli(['bootstrap', '--stage', 'prod'], { cwd: REPO_ROOT, env: {} });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--stage names "prod", which deploys in the build account/);
    expect(result.stderr).toMatch(/"stageAccounts": \{"prod": \{"account": "<12 digits>"\}\}/);
  });
});
