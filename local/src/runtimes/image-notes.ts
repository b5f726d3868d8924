import { parseImageUri } from './image-uri.js';
import type { RuntimeDefinition } from './runtime-definition.js';

/**
 * What a job's log should say about running `image` on `definition`'s packages: each version the image's tag
 * states that differs from the runtime's (`pytorch-training:2.1.0-cpu-py310` on torch 2.5.1), so that a job
 * never runs on other versions than its image's silently.
 */
export function imageNotes(definition: RuntimeDefinition, image: string): string[] {
  const tag = parseImageUri(image).tag;
  if (tag === undefined) return [];
  const notes: string[] = [];
  for (const expected of definition.tagVersions ?? []) {
    const found = new RegExp(expected.tagPattern).exec(tag)?.[1];
    if (found !== undefined && !sameVersion(found, expected.version)) {
      notes.push(
        `the image ${image} has ${expected.package} ${found}; the local runtime ${definition.name} runs ` +
          `${expected.package} ${expected.version}`,
      );
    }
  }
  return notes;
}

/** `2.1` matches `2.1.0`; `2.1.0` does not match `2.1.2`. */
function sameVersion(tagVersion: string, version: string): boolean {
  const a = tagVersion.split('.');
  const b = version.split('.');
  return a.every((part, index) => part === (b[index] ?? '0'));
}
