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
