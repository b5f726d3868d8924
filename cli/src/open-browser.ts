import { spawn } from 'node:child_process';

/**
 * Opens `url` in the user's browser: `$BROWSER` when set, else the platform's opener (`open`, `start`,
 * `xdg-open` where there is a display). Resolves false when no browser can be opened (a server, SSH, CI),
 * so the caller prints the link instead.
 */
export async function openBrowser(url: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const command = opener(env);
  if (!command) return false;
  return new Promise((resolve) => {
    try {
      const child = spawn(command[0]!, [...command.slice(1), url], { detached: true, stdio: 'ignore', env });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

function opener(env: NodeJS.ProcessEnv): string[] | undefined {
  if (env.BROWSER) return [env.BROWSER];
  if (process.platform === 'darwin') return ['open'];
  if (process.platform === 'win32') return ['cmd', '/c', 'start', '""'];
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return ['xdg-open'];
  return undefined;
}
