"""A chain of N trivial steps on kfp's local runner (SubprocessRunner, no venv per step): the peer of Slipway's
local engine in bench/local-vs-kfp.mjs. Prints {"seconds": wall time of the pipeline run, "steps": N} as JSON;
the interpreter's start and kfp's import are not counted.

python kfp_chain.py STEPS PIPELINE_ROOT
"""
import json
import sys
import time

from kfp import dsl, local


@dsl.component
def step(previous: str) -> str:
    return previous + "."


def chain(steps):
    @dsl.pipeline(name="chain")
    def pipeline() -> str:
        task = step(previous="")
        for _ in range(steps - 1):
            task = step(previous=task.output)
        return task.output

    return pipeline


def main():
    steps, root = int(sys.argv[1]), sys.argv[2]
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=root, raise_on_error=True)
    pipeline = chain(steps)
    started = time.perf_counter()
    result = pipeline()
    seconds = time.perf_counter() - started
    if result.output != "." * steps:
        raise SystemExit("the chain did not run every step: %r" % result.output)
    print(json.dumps({"seconds": seconds, "steps": steps}))


if __name__ == "__main__":
    main()
