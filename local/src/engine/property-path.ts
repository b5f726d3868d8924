/**
 * Property paths as pipeline definitions write them: `ModelArtifacts.S3ModelArtifacts`,
 * `ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri`, `FinalMetricDataList['val:acc'].Value`,
 * `TrainingJobSummaries[0].TrainingJobName`; JsonGet paths also allow a leading `$.`.
 */
export type PathSegment = { readonly key: string } | { readonly index: number };

export function parsePropertyPath(path: string): PathSegment[] | undefined {
  let rest = path.startsWith('$') ? path.slice(1) : path;
  if (rest.startsWith('.')) rest = rest.slice(1);
  const segments: PathSegment[] = [];
  let first = true;
  while (rest.length > 0) {
    const bracket = /^\[(?:(\d+)|'([^']*)'|"([^"]*)")\]/.exec(rest);
    if (bracket) {
      segments.push(bracket[1] !== undefined ? { index: Number(bracket[1]) } : { key: bracket[2] ?? bracket[3] ?? '' });
      rest = rest.slice(bracket[0].length);
    } else {
      const dotted = (first ? /^([^.[\]]+)/ : /^\.([^.[\]]+)/).exec(rest);
      if (!dotted) return undefined;
      segments.push({ key: dotted[1]! });
      rest = rest.slice(dotted[0].length);
    }
    first = false;
  }
  return segments.length > 0 ? segments : undefined;
}

/** Members that name the items of a list, so `Outputs['train']` finds the output whose OutputName is train. */
const NAME_MEMBERS = ['OutputName', 'InputName', 'MetricName', 'ChannelName', 'VariantName', 'Name'];

/** Follows a path through a Describe* shape or a JSON document; undefined when any segment is missing. */
export function walkPath(root: unknown, segments: readonly PathSegment[]): unknown {
  let current: unknown = root;
  for (const segment of segments) {
    if (current === null || current === undefined) return undefined;
    if ('index' in segment) {
      current = Array.isArray(current) ? current[segment.index] : undefined;
    } else if (Array.isArray(current)) {
      current = current.find(
        (item) =>
          item !== null &&
          typeof item === 'object' &&
          NAME_MEMBERS.some((member) => (item as Record<string, unknown>)[member] === segment.key),
      );
    } else if (typeof current === 'object') {
      current = Object.prototype.hasOwnProperty.call(current, segment.key)
        ? (current as Record<string, unknown>)[segment.key]
        : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}
