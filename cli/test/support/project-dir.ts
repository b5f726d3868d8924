import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A temporary Slipway project folder whose `slipway.config.json` is the sentiment project as `slipway init`
 * writes it (with `stages` chosen by the test); returns the folder.
 */
export function sentimentProjectDir(prefix: string, stages: readonly string[] = ['staging', 'prod']): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(
    join(dir, 'slipway.config.json'),
    JSON.stringify({
      projectName: 'sentiment',
      projectId: 'p-abcdefghijkl',
      region: 'us-east-1',
      pipelineName: 'sentiment-pipeline',
      modelPackageGroupName: 'sentiment-models',
      artifactBucket: 'slipway-sentiment-bucket',
      stages,
    }),
  );
  return dir;
}
