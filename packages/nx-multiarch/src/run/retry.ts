import { logger } from '../devkit';
import { CommandFailedError } from '../core/errors';
import { throwIfInterrupted } from './interrupt';
import { run, type RunOptions, type RunResult, type Step } from './exec';

/**
 * skopeo's --retry-times covers network errors only; a registry's 5xx answers (overloaded, restarting) end the copy at
 * once. Those are worth another try: the copy is idempotent (blobs already there are skipped; the tag is written last).
 */
const SERVER_ERROR = /unexpected HTTP status: 5\d\d|\b50[0234] (Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)/i;

export const RETRY_DELAYS_MS = [1000, 3000, 9000];

export async function runWithRetry(step: Step, options: RunOptions, delays: readonly number[] = RETRY_DELAYS_MS): Promise<RunResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run(step, options);
    } catch (error) {
      throwIfInterrupted();
      if (!(error instanceof CommandFailedError) || !SERVER_ERROR.test(error.output) || attempt >= delays.length) throw error;
      const status = SERVER_ERROR.exec(error.output)?.[0];
      logger.warn(
        `The registry answered ${status}; trying again in ${delays[attempt] / 1000} s (retry ${attempt + 1} of ${delays.length}).`,
      );
      await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
    }
  }
}
