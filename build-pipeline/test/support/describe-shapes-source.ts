/**
 * Writes build-pipeline/src/properties/describe-shapes.generated.ts: the shapes reachable from each
 * PROPERTY_ROOTS response, read from the runtime schemas of the installed `@aws-sdk/client-sagemaker`.
 * Schema layout (Smithy "static schemas", as @smithy/types documents them): a structure, union or error is
 * `[id, namespace, name, traits, memberNames, memberSchemas]`, a list `[1, ns, name, traits, valueSchema]`, a
 * map `[2, ns, name, traits, keySchema, valueSchema]`, a simple (enum, constrained string) `[0, ns, name,
 * traits, sentinel]`, a member `[target, traits]`; a number is a simple sentinel, possibly with a list or map
 * modifier bit; a function returns the schema (lazy references make cycles possible).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { PROPERTY_ROOTS } from '../../src/properties/property-roots.js';
import type { LeafKind, ShapeDefinition, ShapeRef } from '../../src/properties/shape-schema.js';

const LIST_MODIFIER = 0b0100_0000;
const MAP_MODIFIER = 0b1000_0000;
const SIMPLE = 0;
const LIST = 1;
const MAP = 2;
const STRUCTURE = 3;
const UNION = 4;
const ERROR = -3;

function leafKind(sentinel: number): LeafKind {
  if (sentinel === 0) return 'string';
  if (sentinel === 1 || sentinel === 0b0001_0001 || sentinel === 0b0001_0011) return 'number';
  if (sentinel === 2) return 'boolean';
  if (sentinel >= 4 && sentinel <= 7) return 'timestamp';
  if (sentinel === 0b0000_1111) return 'document';
  return 'blob';
}

class ShapeCollector {
  readonly shapes = new Map<string, ShapeDefinition>();
  private readonly seen = new Map<string, unknown>();

  ref(raw: unknown): ShapeRef {
    const schema: unknown = typeof raw === 'function' ? (raw as () => unknown)() : raw;
    if (typeof schema === 'number') {
      if (schema & MAP_MODIFIER) return { map: this.ref(schema & ~MAP_MODIFIER) };
      if (schema & LIST_MODIFIER) return { list: this.ref(schema & ~LIST_MODIFIER) };
      return leafKind(schema);
    }
    if (!Array.isArray(schema)) return 'document';
    if (schema.length === 2) return this.ref(schema[0]);
    const [id, , name] = schema as [number, string, string];
    if (id === SIMPLE) return this.ref(schema[4]);
    if (id === MAP) return { map: this.ref(schema[5]) };
    if (id !== STRUCTURE && id !== UNION && id !== ERROR && id !== LIST) return 'document';
    const earlier = this.seen.get(name);
    if (earlier !== undefined) {
      if (earlier !== schema) throw new Error(`two different SDK schemas are named ${name}`);
      return name;
    }
    if (/^[a-z]/.test(name)) throw new Error(`shape ${name} would read as a leaf kind: names must be capitalised`);
    this.seen.set(name, schema);
    if (id === LIST) {
      this.shapes.set(name, { list: this.ref(schema[4]) });
    } else {
      const names = schema[4] as readonly string[];
      const refs = schema[5] as readonly unknown[];
      const members: Record<string, ShapeRef> = {};
      this.shapes.set(name, { members });
      names.forEach((member, index) => (members[member] = this.ref(refs[index])));
    }
    return name;
  }
}

function literal(ref: ShapeRef | ShapeDefinition): string {
  if (typeof ref === 'string') return `'${ref}'`;
  if ('list' in ref) return `{ list: ${literal(ref.list)} }`;
  if ('map' in ref) return `{ map: ${literal(ref.map)} }`;
  const members = Object.entries(ref.members).map(([name, member]) => `${name}: ${literal(member)}`);
  return `{ members: { ${members.join(', ')} } }`;
}

export const DESCRIBE_SHAPES_FILE = fileURLToPath(
  new URL('../../src/properties/describe-shapes.generated.ts', import.meta.url),
);

/** The generated module's text (formatted as `prettier --write` would), from the SDK installed here. */
export async function describeShapesSource(): Promise<string> {
  const require = createRequire(import.meta.url);
  const version = (require('@aws-sdk/client-sagemaker/package.json') as { version: string }).version;
  const sdk = (await import('@aws-sdk/client-sagemaker')) as unknown as Record<string, unknown>;
  const collector = new ShapeCollector();
  for (const root of Object.keys(PROPERTY_ROOTS).sort()) {
    const schema = sdk[`${root}$`];
    if (schema === undefined) throw new Error(`@aws-sdk/client-sagemaker exports no schema ${root}$`);
    collector.ref(schema);
  }
  const lines = [...collector.shapes.keys()]
    .sort()
    .map((name) => `  ${name}: ${literal(collector.shapes.get(name)!)},`);
  const source = [
    `// Generated from the schemas of @aws-sdk/client-sagemaker ${version}: do not edit. Regenerate with`,
    '// SLIPWAY_UPDATE_GENERATED=1 npm run test:ts -- build-pipeline/test/describe-shapes.test.ts',
    "import type { ShapeTable } from './shape-schema.js';",
    '',
    'export const DESCRIBE_SHAPES: ShapeTable = {',
    ...lines,
    '};',
    '',
  ].join('\n');
  const options = await resolveConfig(DESCRIBE_SHAPES_FILE);
  return format(source, { ...options, filepath: DESCRIBE_SHAPES_FILE });
}
