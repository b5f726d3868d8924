#!/usr/bin/env node
// The installed entry point: runs the compiled CLI. `npm install` (prepare) and `npm run setup` build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  process.stderr.write('slipway: the CLI is not built yet; run `npm run setup` at the repository root.\n');
  process.exit(1);
}
// On Node 20 every AWS SDK client prints a screenful of NodeVersionSupportWarning (the SDK's releases from 2027
// need Node 22) on every command; the project's engines already say which Node versions it supports, so the
// CLI turns it off before anything loads the SDK. A value the user set, whatever it is, is left alone. The
// name is the one @aws-sdk/core's emitWarningIfUnsupportedVersion reads (it skips only on "true").
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv.slice(2));
