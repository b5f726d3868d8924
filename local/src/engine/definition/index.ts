export * from './definition-types.js';
export { parseDefinition } from './parse-definition.js';
export { checkParameterValueType } from './parameter-declarations.js';
export { collectReferences } from './references.js';
export { isObject } from './json-object.js';
