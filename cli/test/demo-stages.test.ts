import { describe, expect, it } from '@jest/globals';
import { jobNames } from '@slipway/deploy-pipeline';
import { demoStages } from '../src/commands/demo.js';

describe('the demo follows the stages of the project', () => {
  it('shows one stage per job of the deploy workflow, whatever the stage list (not stages[0] and the last)', () => {
    for (const stages of [['staging', 'prod'], ['dev', 'qa', 'prod'], ['only']]) {
      const names = demoStages(stages).map((stage) => stage.name);
      expect(names).toEqual([
        'compile',
        'runtimes',
        'server',
        'pipeline',
        'approve',
        'event',
        ...jobNames(stages).slice(1),
        'predict',
      ]);
    }
  });

  it("names each later stage's gate after its GitHub environment", () => {
    const titles = demoStages(['staging', 'qa', 'prod']).map((stage) => stage.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        "Promote to qa (the qa environment's gate)",
        "Promote to prod (the production environment's gate)",
      ]),
    );
  });
});
