import { execFile } from 'node:child_process';

const counted = new Map<string, Promise<number>>();

/**
 * The machine's NVIDIA GPUs as the training toolkit counts them for SM_NUM_GPUS: the `GPU n: …` lines of
 * `nvidia-smi --list-gpus`, 0 when there is no nvidia-smi or it fails. Asked once per process.
 */
export function countGpus(command = 'nvidia-smi'): Promise<number> {
  let count = counted.get(command);
  if (!count) {
    count = new Promise((resolve) => {
      execFile(command, ['--list-gpus'], { timeout: 10_000 }, (error, stdout) => {
        resolve(error ? 0 : stdout.split('\n').filter((line) => line.startsWith('GPU ')).length);
      });
    });
    counted.set(command, count);
  }
  return count;
}
