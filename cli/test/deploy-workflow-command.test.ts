import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { deployWorkflowYaml } from '@slipway/deploy-pipeline';
import { runCli } from './support/run-cli.js';
import { sentimentProjectDir } from './support/project-dir.js';

describe('slipway deploy workflow', () => {
  it("writes deploy.yml for the config's stages, then finds it current", async () => {
    const dir = sentimentProjectDir('slipway-deploy-workflow-', ['dev', 'qa', 'prod']);
    const written = await runCli(['deploy', 'workflow', '--write', '--json'], { cwd: dir, env: { NO_COLOR: '1' } });
    expect([written.code, JSON.parse(written.stdout)]).toEqual([
      0,
      { path: '.github/workflows/deploy.yml', stages: ['dev', 'qa', 'prod'], changed: true },
    ]);
    expect(readFileSync(join(dir, '.github', 'workflows', 'deploy.yml'), 'utf8')).toBe(
      deployWorkflowYaml(['dev', 'qa', 'prod']),
    );
    const again = await runCli(['deploy', 'workflow', '--write'], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(again.stdout).toBe('.github/workflows/deploy.yml already current for stages dev → qa → prod\n');
    const printed = await runCli(['deploy', 'workflow'], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(printed.stdout).toBe(deployWorkflowYaml(['dev', 'qa', 'prod']));
  });
});
