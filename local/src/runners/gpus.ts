import { execFile } from 'node:child_process';

let counted: Promise<number> | undefined;

/**
 * The machine's NVIDIA GPUs as the training toolkit counts them for SM_NUM_GPUS: the lines of
 * `nvidia-smi --list-gpus`, 0 when there is no nvidia-smi or it fails. Asked once per process.
 */
export function countGpus(): Promise<number> {
  counted ??= new Promise((resolve) => {
    execFile('nvidia-smi', ['--list-gpus'], { timeout: 10_000 }, (error, stdout) => {
      resolve(error ? 0 : stdout.split('\n').filter((line) => line.startsWith('GPU ')).length);
    });
  });
  return counted;
}
