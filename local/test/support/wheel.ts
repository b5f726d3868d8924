import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Writes a one-module wheel `name-version-py3-none-any.whl` into `dir` (a wheel is a zip with its metadata), so a
 * test can install a package with no package index.
 */
export async function makeWheel(dir: string, name: string, version: string, source: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const script = [
    'import sys, zipfile',
    'out, name, version, source = sys.argv[1:5]',
    'info = "%s-%s.dist-info" % (name, version)',
    'with zipfile.ZipFile("%s/%s-%s-py3-none-any.whl" % (out, name, version), "w") as wheel:',
    '    wheel.writestr("%s.py" % name, source)',
    '    wheel.writestr(info + "/METADATA", "Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" % (name, version))',
    '    wheel.writestr(info + "/WHEEL", "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")',
    '    wheel.writestr(info + "/RECORD", "")',
  ].join('\n');
  await run(process.env.SLIPWAY_PYTHON ?? 'python3', ['-c', script, dir, name, version, source]);
}
