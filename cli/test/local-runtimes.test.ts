import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { compileProjectPipeline } from '@slipway/build-pipeline';
import { loadProjectConfig, type ProjectModel } from '@slipway/core';
import { definitionImages } from '../src/local-runtimes.js';

const REPO = join(import.meta.dirname, '..', '..');
const config = loadProjectConfig({ path: join(REPO, 'slipway.config.json') });

async function imagesFor(model: ProjectModel): Promise<string[]> {
  const compiled = await compileProjectPipeline({
    config: { ...config, model },
    roleArn: 'arn:aws:iam::123456789012:role/r',
  });
  return definitionImages(compiled.definition);
}

describe('the images the demo prepares runtimes for', () => {
  it('are the jobs’ images and the serving images of the registered model, for each variant', async () => {
    const account = '.dkr.ecr.us-east-1.amazonaws.com';
    expect(await imagesFor('sklearn')).toEqual([`683313688378${account}/sagemaker-scikit-learn:1.2-1-cpu-py3`]);
    expect(await imagesFor('bert')).toEqual([
      `683313688378${account}/sagemaker-scikit-learn:1.2-1-cpu-py3`,
      `763104351884${account}/pytorch-inference:2.5.1-cpu-py311`,
      `763104351884${account}/pytorch-training:2.5.1-cpu-py311`,
    ]);
  });
});
