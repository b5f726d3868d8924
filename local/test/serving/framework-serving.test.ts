import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RuntimeManager } from '../../src/runtimes/index.js';
import { startModelServer, type ModelServer } from '../../src/serving/index.js';

/*
 * The model server on the framework runtimes, with each container's defaults for the handlers a model leaves out.
 * These use the real runtimes from the per-user cache (PyTorch's is built here the first time: minutes).
 */
const run = promisify(execFile);
const PYTORCH_IMAGE = '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.5.1-cpu-py311';
const XGBOOST_IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const HUGGING_FACE_IMAGE =
  '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04';
const FIRST_BUILD_MS = 15 * 60_000;

const runtimes = new RuntimeManager();
let dir: string;
const servers: ModelServer[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-framework-serving-'));
});
afterAll(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  await rm(dir, { recursive: true, force: true });
});

/** Runs Python in an image's runtime (to make a model the way a training job would). */
async function python(image: string, code: string, cwd: string): Promise<string> {
  const runtime = await runtimes.resolve(image, (message) => process.stderr.write(`${message}\n`));
  const { stdout } = await run(runtime.python, ['-c', code], { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

async function serve(image: string, modelDataDir: string, environment: Record<string, string> = {}) {
  const logFile = join(dir, `${servers.length}.log`);
  const server = await startModelServer({
    image,
    modelDataDir,
    environment,
    runtimes,
    logFile,
    startTimeoutMs: 120_000,
  });
  servers.push(server);
  return { server, logFile };
}

async function invoke(server: ModelServer, body: string, contentType: string, accept?: string) {
  const response = await fetch(`${server.url}/invocations`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': contentType, ...(accept ? { Accept: accept } : {}) },
  });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('the PyTorch inference toolkit’s defaults', () => {
  it(
    'loads TorchScript model.pt, feeds a float tensor to model(x) and encodes the tensor as Accept asks',
    async () => {
      const model = join(dir, 'torch-model');
      await mkdir(model, { recursive: true });
      // y = 2 x0 + 3 x1 + 1, scripted as a training job would save it.
      await python(
        PYTORCH_IMAGE,
        'import torch\n' +
          'm = torch.nn.Linear(2, 1)\n' +
          'with torch.no_grad():\n' +
          '    m.weight.copy_(torch.tensor([[2.0, 3.0]])); m.bias.fill_(1.0)\n' +
          'torch.jit.script(m).save("model.pt")\n',
        model,
      );
      const { server, logFile } = await serve(PYTORCH_IMAGE, model);
      expect(await invoke(server, '[[1, 1], [0, 2]]', 'application/json')).toEqual({
        status: 200,
        type: 'application/json',
        text: '[[6.0], [7.0]]',
      });
      expect(await invoke(server, '1,1\n0,2\n', 'text/csv', 'application/xml, text/csv')).toMatchObject({
        status: 200,
        type: 'text/csv',
      });
      // An unsupported Accept is the toolkit's UnsupportedFormatError: a 500, unlike the scikit-learn container.
      expect((await invoke(server, '[[1, 1]]', 'application/json', 'application/xml')).status).toBe(500);
      expect(await readFile(logFile, 'utf8')).toContain('image ');
    },
    FIRST_BUILD_MS,
  );

  it(
    'installs code/requirements.txt of the model archive at start (offline, from the local wheel cache)',
    async () => {
      const model = join(dir, 'torch-requirements');
      await mkdir(join(model, 'code'), { recursive: true });
      await python(PYTORCH_IMAGE, 'import torch\ntorch.jit.script(torch.nn.Identity()).save("model.pt")\n', model);
      await writeFile(join(model, 'code', 'requirements.txt'), 'tokenizers==0.21.0\n');
      await writeFile(
        join(model, 'code', 'inference.py'),
        'import json, os, tokenizers, torch\n' +
          'def model_fn(model_dir):\n' +
          '    return torch.jit.load(os.path.join(model_dir, "model.pt"))\n' +
          'def output_fn(prediction, accept):\n' +
          '    return json.dumps({"tokenizers": tokenizers.__version__, "y": prediction.tolist()}), accept\n',
      );
      const { server, logFile } = await serve(PYTORCH_IMAGE, model, { PIP_INDEX_URL: 'http://127.0.0.1:9/simple' });
      const answer = await invoke(server, '[[1.5, 2.5]]', 'application/json');
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ tokenizers: '0.21.0', y: [[1.5, 2.5]] });
      expect(await readFile(logFile, 'utf8')).toContain(
        'code/requirements.txt found; installing it as the inference toolkit does (pip), layered on pytorch-2.5',
      );
    },
    FIRST_BUILD_MS,
  );
});

describe('the XGBoost container’s defaults', () => {
  it(
    'loads xgboost-model and serves text/csv, text/libsvm and application/json',
    async () => {
      const model = join(dir, 'xgb-model');
      await mkdir(model, { recursive: true });
      await python(
        XGBOOST_IMAGE,
        'import numpy, xgboost\n' +
          'x = numpy.array([[0, 0], [1, 0], [0, 1], [1, 1]] * 25, dtype=float)\n' +
          'y = x[:, 0] * 10 + x[:, 1]\n' +
          'b = xgboost.train({"objective": "reg:squarederror", "eta": 1, "max_depth": 3}, xgboost.DMatrix(x, label=y), 20)\n' +
          'b.save_model("xgboost-model")\n',
        model,
      );
      const { server } = await serve(XGBOOST_IMAGE, model);
      // Default Content-Type and Accept are text/csv, as in the container.
      const csv = await invoke(server, '1,0\n0,1\n', 'text/csv');
      expect(csv.status).toBe(200);
      expect(csv.type).toBe('text/csv');
      expect(csv.text.trim().split('\n').map(Number).map(Math.round)).toEqual([10, 1]);
      const libsvm = await invoke(server, '0 0:1 1:1\n0 1:1\n', 'text/libsvm', 'application/json');
      expect(JSON.parse(libsvm.text).predictions.map((p: { score: number }) => Math.round(p.score))).toEqual([11, 1]);
      const json = await invoke(
        server,
        '{"instances": [{"features": [1, 1]}]}',
        'application/json',
        'application/json',
      );
      expect(JSON.parse(json.text).predictions.map((p: { score: number }) => Math.round(p.score))).toEqual([11]);
      expect((await invoke(server, 'x', 'image/png')).status).toBe(415);
    },
    FIRST_BUILD_MS,
  );
});

describe('the Hugging Face inference toolkit’s defaults', () => {
  it(
    'serves a transformers pipeline for the model folder, its task inferred from config.json, without a hub',
    async () => {
      const model = join(dir, 'hf-model');
      await mkdir(model, { recursive: true });
      // A tiny BERT sequence classifier with its WordPiece vocabulary, saved as save_pretrained writes it.
      await python(
        HUGGING_FACE_IMAGE,
        'from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast\n' +
          'words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "product", "broke"]\n' +
          'open("vocab.txt", "w").write("\\n".join(words) + "\\n")\n' +
          'BertTokenizerFast("vocab.txt").save_pretrained(".")\n' +
          'config = BertConfig(vocab_size=len(words), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,\n' +
          '                    intermediate_size=64, num_labels=3)\n' +
          'BertForSequenceClassification(config).save_pretrained(".")\n',
        model,
      );
      const { server } = await serve(HUGGING_FACE_IMAGE, model);
      const answer = await invoke(server, '{"inputs": "good product"}', 'application/json');
      expect(answer.status).toBe(200);
      const [prediction] = JSON.parse(answer.text) as { label: string; score: number }[];
      expect(prediction!.label).toMatch(/^LABEL_[012]$/);
      expect(prediction!.score).toBeGreaterThan(0);
      // Like that toolkit, a handler error is a 400.
      expect((await invoke(server, '{"inputs": 5}', 'application/json')).status).toBe(400);
    },
    FIRST_BUILD_MS,
  );

  it(
    'refuses HF_MODEL_ID (no model hub here), saying what to do',
    async () => {
      const model = join(dir, 'hf-hub');
      await mkdir(model, { recursive: true });
      await expect(serve(HUGGING_FACE_IMAGE, model, { HF_MODEL_ID: 'bert-base-uncased' })).rejects.toThrow(
        /HF_MODEL_ID=bert-base-uncased asks for a model from the Hugging Face Hub, which the local runtime cannot reach/,
      );
    },
    FIRST_BUILD_MS,
  );
});
