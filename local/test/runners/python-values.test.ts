import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { decodeHyperparameters, pyFloatRepr, pyJsonDumps, pyStr, toCommandArgs } from '../../src/runners/index.js';

// Raw hyperparameter values as the SDK would send them (JSON-encoded strings), and a few it would not.
const RAW: Record<string, string> = {
  int: '10',
  negative_zero: '-0',
  big: '123456789012345678901234567890',
  float_whole: '4.0',
  float: '0.001',
  tiny: '1e-05',
  small: '0.0001',
  huge: '1e16',
  almost_huge: '1234567890123456.0',
  third: '0.3333333333333333',
  exp_float: '2.5E3',
  nan: 'NaN',
  inf: '-Infinity',
  yes: 'true',
  nothing: 'null',
  text: '"tf-idf"',
  unicode: '"naïve ☃ 𝄞"',
  quote: '"it\'s"',
  escapes: '"a\\tb\\nc\\\\d\\"e"',
  list: '[1, 2.5, "x", null, true, [3]]',
  dict: '{"b": 2, "a": "x", "c": {"z": 1.0}}',
  not_json: 'plain words',
  trailing: '1 2',
  x: 'single',
};

const PYTHON = `
import json, sys
raw = json.loads(sys.stdin.read())
def decode(v):
    try:
        return json.loads(v)
    except (ValueError, TypeError):
        return v
def s(v):
    return "" if v is None else str(v)
out = {}
for k, v in raw.items():
    d = decode(v)
    out[k] = {"str": s(d), "dumps": json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=True)}
hps = {k: decode(v) for k, v in raw.items()}
def arg_value(value):
    if hasattr(value, "items"):
        return ",".join("%s=%s" % (k, v) for k, v in sorted(value.items()))
    return s(value)
args = []
for key in sorted(hps):
    args += ["--%s" % key if len(key) > 1 else "-%s" % key, arg_value(hps[key])]
print(json.dumps({"values": out, "args": args}))
`;

function python(): { values: Record<string, { str: string; dumps: string }>; args: string[] } {
  const output = execFileSync(process.env.SLIPWAY_PYTHON ?? 'python3', ['-c', PYTHON], { input: JSON.stringify(RAW) });
  return JSON.parse(output.toString('utf8'));
}

describe('Python renderings of hyperparameters', () => {
  const expected = python();
  const decoded = decodeHyperparameters(RAW).user;

  it.each(Object.keys(RAW))('%s: str() and json.dumps() match CPython', (key) => {
    expect({ str: pyStr(decoded[key]), dumps: pyJsonDumps(decoded[key]) }).toEqual(expected.values[key]);
  });

  it('builds the same command line as the training toolkit', () => {
    expect(toCommandArgs(decoded)).toEqual(expected.args);
  });

  it('renders floats as repr() does across the exponent switch', () => {
    expect([1e-5, 1e-4, 0.1, 1e15, 1e16, 123.456, -2.5e-7, 5e-324, 1.7976931348623157e308].map(pyFloatRepr)).toEqual([
      '1e-05',
      '0.0001',
      '0.1',
      '1000000000000000.0',
      '1e+16',
      '123.456',
      '-2.5e-07',
      '5e-324',
      '1.7976931348623157e+308',
    ]);
  });

  it('splits the toolkit’s own keys and framework parameters from the user’s', () => {
    const split = decodeHyperparameters({
      sagemaker_program: '"train.py"',
      sagemaker_distribution: '{}',
      _tuning_objective_metric: '"acc"',
      epochs: '3',
    });
    expect(Object.keys(split.sagemaker).sort()).toEqual(['_tuning_objective_metric', 'sagemaker_program']);
    expect(Object.keys(split.framework)).toEqual(['sagemaker_distribution']);
    expect(Object.keys(split.user)).toEqual(['epochs']);
  });
});
