import { ValidationError } from './validation-error.js';

/** JSON.parse whose syntax errors are ValidationErrors naming the source (`where`) and the fix. */
export function parseJsonText(text: string, where: string, fix = 'correct the JSON syntax'): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError({
      where,
      field: '',
      problem: `is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      fix,
    });
  }
}

/**
 * How deeply arrays and objects nest in a JSON text (0 for a scalar), counted without parsing it: a text
 * nested thousands deep would exhaust the stack of a recursive walk (or of JSON.stringify) later on.
 */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
    }
  }
  return deepest;
}
