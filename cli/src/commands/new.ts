import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { NEW_PROJECT_MODELS, createNewProject, type NewProjectModel } from '../new-project.js';
import type { CliContext } from '../context.js';

interface NewOptions {
  project?: string;
  github?: string;
  region?: string;
  model?: string;
  git: boolean;
}

/** Asks for what the flags did not give, on a terminal; elsewhere the defaults stand. */
async function ask(options: NewOptions, dir: string): Promise<NewOptions> {
  if (!process.stdin.isTTY) return options;
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const question = async (text: string, fallback?: string): Promise<string | undefined> =>
      (await prompt.question(fallback ? `${text} [${fallback}]: ` : `${text}: `)).trim() || fallback;
    const github = options.github ?? (await question('GitHub repository (OWNER/REPO, empty for none)'));
    const project = options.project ?? (await question('Project name', github ? github.split('/').pop() : dir));
    const region = options.region ?? (await question('AWS region', 'us-east-1'));
    const model = options.model ?? (await question(`Model (${NEW_PROJECT_MODELS.join(' or ')})`, 'sklearn'));
    return {
      ...options,
      ...(github ? { github } : {}),
      ...(project ? { project } : {}),
      ...(region ? { region } : {}),
      ...(model ? { model } : {}),
    };
  } finally {
    prompt.close();
  }
}

export function registerNew(program: Command, context: CliContext): void {
  program
    .command('new')
    .description(
      'create a new project repository in DIR from this template: clean (no history, no .slipway/, no build output), its own project id, git init',
    )
    .argument('<dir>', 'the folder to create (it must not exist, or be empty)')
    .option('--project <name>', 'project name (default: from --github, else the folder name)')
    .option('--github <owner/repo>', 'the GitHub repository that will build and deploy it')
    .option('--region <region>', 'AWS region (default us-east-1)')
    .option('--model <model>', `the model to start from: ${NEW_PROJECT_MODELS.join(' or ')} (default sklearn)`)
    .option('--no-git', 'do not run git init')
    .action(async (dir: string, flags: NewOptions) => {
      const target = resolve(context.cwd, dir);
      const options = await ask(flags, target.split(/[\\/]/).pop() ?? dir);
      const result = createNewProject({
        dir: target,
        ...(options.project ? { projectName: options.project } : {}),
        ...(options.github ? { githubRepository: options.github } : {}),
        ...(options.region ? { region: options.region } : {}),
        ...(options.model ? { model: options.model as NewProjectModel } : {}),
        gitInit: options.git,
      });
      context.output.result(result, () => {
        const { output } = context;
        output.line(`Created ${result.dir} (${result.files} files)`, 'good');
        output.line(
          `  project ${result.config.projectName}, id ${result.config.projectId}, bucket ${result.config.artifactBucket}`,
        );
        if (result.gitInitialized) output.line('  git repository initialized (branch main, nothing committed yet)');
        output.line('');
        output.line('Next:', 'bold');
        output.line(`  cd ${dir}`);
        output.line('  npm run demo        # the whole loop on this machine');
        output.line('  git add -A && git commit -m "New Slipway project"');
        if (!result.config.githubRepository)
          output.line('  npx slipway init --github OWNER/REPO   # once the repository exists');
      });
    });
}
