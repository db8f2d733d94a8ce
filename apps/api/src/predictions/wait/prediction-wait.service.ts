import { Injectable } from '@nestjs/common';
import type { Prediction } from '@dermafleet/jobs';
import { PredictionReaderService } from '../prediction-reader.service';
import { FinalStateListener } from './final-state.listener';

export const isFinal = (p: Prediction): boolean => p.status === 'succeeded' || p.status === 'failed';

/**
 * Holds a request until a prediction is final, the time is up, or the client has gone. It listens
 * first and reads the record after, so a prediction that becomes final between the two is seen by
 * the read, and one that becomes final later is heard: no window in which the answer is missed.
 */
@Injectable()
export class PredictionWaitService {
  constructor(
    private readonly reader: PredictionReaderService,
    private readonly listener: FinalStateListener,
  ) {}

  /**
   * The prediction once final or when `waitMs` has passed (as it stands then), null when unknown.
   * `current` is the caller's fresh copy, if it has one. An aborted `signal` (the client went
   * away) ends the wait at once and frees its listener and timer.
   */
  async awaitFinal(
    tenant: string,
    id: string,
    waitMs: number,
    signal: AbortSignal,
    current?: Prediction,
  ): Promise<Prediction | null> {
    if (current && (isFinal(current) || waitMs <= 0)) return current;
    const deadline = Date.now() + waitMs;
    let wake: () => void = () => undefined;
    let woken = false;
    const unlisten = this.listener.listen(id, () => {
      woken = true;
      wake();
    });
    const onAbort = (): void => wake();
    signal.addEventListener('abort', onAbort);
    let timer: NodeJS.Timeout | undefined;
    try {
      let prediction = await this.reader.find(tenant, id);
      while (prediction && !isFinal(prediction) && !signal.aborted) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        if (!woken) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, left);
          });
          clearTimeout(timer);
        }
        woken = false;
        if (signal.aborted) break;
        prediction = await this.reader.find(tenant, id);
      }
      return prediction;
    } finally {
      clearTimeout(timer);
      unlisten();
      signal.removeEventListener('abort', onAbort);
    }
  }
}
