/**
 * A problem found while building one step's request (a missing file, an image that does not exist for the
 * region). The compiler adds the step name and collects it with every other issue into one ValidationError.
 */
export class BuildProblem extends Error {
  constructor(
    readonly problem: string,
    readonly fix: string,
    /** The field inside the step's request, when the thrower knows it better than the caller. */
    readonly field?: string,
  ) {
    super(problem);
  }
}
