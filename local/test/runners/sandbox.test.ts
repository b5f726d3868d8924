import { describe, expect, it } from '@jest/globals';
import { hostCommand, isPythonCommand } from '../../src/runners/container-environment.js';
import { createSandbox, mapContainerPaths } from '../../src/runners/sandbox.js';

const sandbox = createSandbox('/work/job-1');

describe('mapContainerPaths', () => {
  it.each([
    ['/opt/ml/processing/input', '/work/job-1/opt/ml/processing/input'],
    ['/opt/ml', '/work/job-1/opt/ml'],
    ['--input=/opt/ml/processing/input', '--input=/work/job-1/opt/ml/processing/input'],
    ['a:/opt/ml/x,/opt/ml/y', 'a:/work/job-1/opt/ml/x,/work/job-1/opt/ml/y'],
    ['{"dir": "/opt/ml/model"}', '{"dir": "/work/job-1/opt/ml/model"}'],
    ['/data/opt/ml/x', '/data/opt/ml/x'],
    ['/opt/mlx/y', '/opt/mlx/y'],
    ['s3://bucket/opt/ml/x', 's3://bucket/opt/ml/x'],
    ['plain', 'plain'],
  ])('%s → %s', (value, mapped) => {
    expect(mapContainerPaths(value, sandbox)).toBe(mapped);
  });
});

describe('hostCommand', () => {
  const runtime = { name: 'rt', image: 'x', python: '/venvs/rt/bin/python', description: '' };

  it('swaps the image’s python for the runtime’s and maps paths in the rest', () => {
    expect(hostCommand(['python3', '/opt/ml/processing/input/code/a.py', '--n', '1'], runtime, sandbox)).toEqual([
      '/venvs/rt/bin/python',
      '/work/job-1/opt/ml/processing/input/code/a.py',
      '--n',
      '1',
    ]);
  });

  it.each([
    ['python', true],
    ['python3', true],
    ['python3.11', true],
    ['/usr/bin/python3', true],
    ['pythonista', false],
    ['bash', false],
  ])('%s is a Python command: %s', (command, expected) => {
    expect(isPythonCommand(command)).toBe(expected);
  });
});
