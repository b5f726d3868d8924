import { spawnSync } from 'node:child_process';
import { githubSourceContext, type SourceContext } from '@slipway/build-pipeline';

/**
 * Where a run from this machine comes from: the GitHub run when the CLI runs inside GitHub Actions (CI's
 * local run), else the checked-out commit (`-dirty` when the work tree has changes) and the configured
 * repository, so a model registered from a laptop still leads back to its code.
 */
export function cliSourceContext(cwd: string, env: NodeJS.ProcessEnv, repository?: string): SourceContext {
  if (env.GITHUB_ACTIONS === 'true') return githubSourceContext(env);
  const git = (...args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8' });
  const head = git('rev-parse', 'HEAD');
  if (head.status !== 0) return repository ? { repository } : {};
  const dirty = git('status', '--porcelain', '--untracked-files=no').stdout.trim().length > 0;
  return { revision: `${head.stdout.trim()}${dirty ? '-dirty' : ''}`, ...(repository ? { repository } : {}) };
}
