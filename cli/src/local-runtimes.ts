import { allSteps, type PipelineDefinition } from '@slipway/build-pipeline';
import { RuntimeManager } from '@slipway/local';
import type { Output } from './output.js';

interface ContainerArguments {
  readonly Image?: unknown;
}

/**
 * The container images a definition names (literal URIs only; parameters are resolved later): its jobs' images,
 * and the serving images of the models it registers or creates, which the deployment's endpoints will run.
 */
export function definitionImages(definition: Pick<PipelineDefinition, 'Steps'>): string[] {
  const images = new Set<string>();
  for (const step of allSteps(definition)) {
    const app = step.Arguments['AppSpecification'] as { ImageUri?: unknown } | undefined;
    const algorithm = step.Arguments['AlgorithmSpecification'] as { TrainingImage?: unknown } | undefined;
    const inference = step.Arguments['InferenceSpecification'] as { Containers?: ContainerArguments[] } | undefined;
    const model = step.Arguments as { PrimaryContainer?: ContainerArguments; Containers?: ContainerArguments[] };
    const containers = [...(inference?.Containers ?? []), ...(model.Containers ?? [])];
    if (model.PrimaryContainer) containers.push(model.PrimaryContainer);
    for (const image of [app?.ImageUri, algorithm?.TrainingImage, ...containers.map((container) => container.Image)]) {
      if (typeof image === 'string') images.add(image);
    }
  }
  return [...images].sort();
}

/**
 * Makes the local Python runtimes the pipeline's images need, before the run, so the one-time venv build
 * (seconds for scikit-learn, minutes for PyTorch) shows here, with its progress, instead of as a silent first
 * step or endpoint. The server's runners find the same venvs in the same per-user cache. An image with no runtime
 * is left for its step to report.
 */
export async function prepareLocalRuntimes(
  definition: Pick<PipelineDefinition, 'Steps'>,
  output: Output,
  manager: RuntimeManager = new RuntimeManager(),
): Promise<string[]> {
  const prepared: string[] = [];
  for (const image of definitionImages(definition)) {
    let name: string;
    try {
      name = (await manager.definitionFor(image)).name;
    } catch {
      continue;
    }
    if (prepared.includes(name)) continue;
    const started = Date.now();
    let built = false;
    await manager.resolve(
      image,
      (message) => {
        built = true;
        output.line(`Preparing the local runtime: ${message}`, 'warn');
      },
      // A large runtime (PyTorch: several GB) reports its downloads and a heartbeat while it builds.
      (message) => output.line(`  ${name}: ${message}`, 'dim'),
    );
    if (built) output.line(`Local runtime ${name} ready in ${((Date.now() - started) / 1000).toFixed(0)} s`, 'good');
    prepared.push(name);
  }
  return prepared;
}
