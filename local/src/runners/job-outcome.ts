import { ValidationError } from '@slipway/core';
import { UnsupportedImageError } from './job-runner.js';

/** DescribeTrainingJob / DescribeProcessingJob report at most this many characters of FailureReason. */
export const MAX_FAILURE_REASON = 1024;

/** `head` then as much of the end of `tail` as fits in 1024 characters. */
export function failureReason(head: string, tail = ''): string {
  const room = MAX_FAILURE_REASON - head.length;
  return room <= 0 ? head.slice(0, MAX_FAILURE_REASON) : head + keepEnd(tail, room);
}

/** The end of `text` in at most `room` characters, marked with "…" where it was cut. */
export function keepEnd(text: string, room: number): string {
  if (text.length <= room) return text;
  return room <= 1 ? '' : `…${text.slice(text.length - room + 1)}`;
}

/**
 * A problem with the job's request or inputs is the caller's (SageMaker's `ClientError`); anything else is
 * an internal failure of the runner, reported rather than thrown.
 */
export function reasonForError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ValidationError || error instanceof UnsupportedImageError)
    return failureReason(`ClientError: ${message}`);
  return failureReason(`InternalServerError: the local runner failed: ${message}`);
}

/** The last lines of stderr, without trailing blank lines. */
export function stderrLines(stderrTail: string): string {
  return stderrTail.replace(/\s+$/, '');
}
