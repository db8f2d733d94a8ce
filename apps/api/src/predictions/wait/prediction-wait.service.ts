import { Injectable } from '@nestjs/common';
import { isFinalStatus, type Prediction } from '@dermafleet/jobs';
import { PredictionReaderService } from '../prediction-reader.service';
import { FinalStateListener } from './final-state.listener';
import { holdUntil } from './hold-until';

export const isFinal = (p: Prediction): boolean => isFinalStatus(p.status);

/** Holds a request until a prediction is final, the time is up, or the client has gone. */
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
    return holdUntil(this.listener, id, waitMs, signal, () => this.reader.find(tenant, id), isFinal);
  }
}
