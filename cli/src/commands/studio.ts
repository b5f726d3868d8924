import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '@slipway/core';
import { isProcessAlive, readServerFile } from '@slipway/local';
import { consoleLink, readConsoleTokenFile, startAwsConsole } from '@slipway/studio';
import { awsOption, awsRegion, dataDirOption, regionOption } from '../backend-options.js';
import type { CliContext } from '../context.js';
import { openBrowser } from '../open-browser.js';
import { projectIfAny, sampleReviews } from '../studio-console.js';

interface StudioOptions {
  readonly dataDir: string;
  readonly aws?: boolean;
  readonly allowApprove?: boolean;
  readonly region?: string;
  readonly port: string;
  readonly open: boolean;
}

/**
 * `slipway studio`: opens the console of the local server running for the data dir (the link with its
 * token, from `<data-dir>/studio.json`), or prints the link where no browser can be opened. `--aws` serves
 * the same console over your AWS credentials on 127.0.0.1 until Ctrl-C.
 */
export function registerStudio(program: Command, context: CliContext): void {
  program
    .command('studio')
    .description('open Slipway Studio, the web console: the local server’s, or with --aws one over your AWS account')
    .addOption(dataDirOption())
    .addOption(awsOption())
    .option('--allow-approve', 'with --aws: let the console approve and reject model versions (read-only without)')
    .addOption(regionOption())
    .option('--port <port>', 'with --aws: the port on 127.0.0.1 (0 picks a free one)', '0')
    .option('--no-open', 'print the link without opening a browser')
    .action(async (options: StudioOptions) => {
      if (options.aws) return serveAws(context, options);
      if (options.allowApprove) {
        throw new ValidationError({
          where: '--allow-approve',
          field: '',
          problem: 'applies to --aws only',
          fix: 'the local console approves anyway; add --aws for the console over AWS',
        });
      }
      const dataDir = resolve(context.cwd, options.dataDir);
      const server = await readServerFile(dataDir);
      const token = await readConsoleTokenFile(dataDir);
      if (!server || !isProcessAlive(server.pid)) {
        throw new ValidationError({
          where: dataDir,
          field: '',
          problem: 'has no local server running',
          fix: 'start one with `npx slipway local up` (it prints the console link), or pass --data-dir DIR',
        });
      }
      if (!token || token.pid !== server.pid) {
        throw new ValidationError({
          where: dataDir,
          field: 'studio.json',
          problem: `has no console token of the running server (pid ${server.pid})`,
          fix: 'restart it with `npx slipway local down && npx slipway local up`: servers started before the console have none',
        });
      }
      await show(context, consoleLink(server.url, token.token), options.open);
    });
}

async function show(context: CliContext, link: string, open: boolean): Promise<boolean> {
  const opened = open && (await openBrowser(link, context.env));
  context.output.result({ link, opened }, () => {
    context.output.line(opened ? 'Opened Slipway Studio in your browser:' : 'Slipway Studio (open this link):', 'good');
    context.output.line(`  ${link}`);
  });
  return opened;
}

async function serveAws(context: CliContext, options: StudioOptions): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ValidationError({
      where: '--port',
      field: '',
      problem: `must be a whole number from 0 to 65535, got ${JSON.stringify(options.port)}`,
    });
  }
  const project = projectIfAny(context);
  const region = await awsRegion(options, project);
  const console = await startAwsConsole({
    region,
    port,
    allowApprove: options.allowApprove === true,
    ...(project ? { project } : {}),
    samples: sampleReviews(project),
  });
  await show(context, console.link, options.open);
  context.output.line(
    `  AWS ${region}, ${options.allowApprove ? 'approvals allowed' : 'read-only'}; stop with Ctrl-C`,
    'dim',
  );
  await new Promise<void>((done) => {
    const stop = () => void console.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
