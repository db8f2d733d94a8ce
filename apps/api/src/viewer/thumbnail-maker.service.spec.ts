import type { Prediction } from '@dermafleet/jobs';
import type { ObjectStore } from '@dermafleet/storage';
import type { ApiConfig } from '../config/api.config';
import { ApiError } from '../errors/api-error';
import type { ImageHoldService } from '../erasure/image-hold.service';
import { MAKING_WAITING_MAX, ThumbnailMaker } from './thumbnail-maker.service';

/** A succeeded prediction of its own image (only what the maker reads). */
const prediction = (i: number) =>
  ({
    id: `p${i}`,
    status: 'succeeded',
    image: { sha256: i.toString(16).padStart(64, '0') },
    result: { preprocessing: { auto_orient: false } },
  }) as unknown as Prediction;

describe('ThumbnailMaker queue', () => {
  jest.setTimeout(20_000);
  it('refuses with 503 queue_full and Retry-After once MAKING_WAITING_MAX makings wait, and takes new ones when they are done', async () => {
    // No thumbnail is stored yet, and every making stops at its image hold until we let it go.
    const store = { getStream: () => Promise.resolve(null) } as unknown as ObjectStore;
    const holds: Array<() => void> = [];
    const holdService = {
      hold: () =>
        new Promise((resolve) =>
          holds.push(() => resolve({ referenced: false, release: () => Promise.resolve() })),
        ),
    } as unknown as ImageHoldService;
    const maker = new ThumbnailMaker(store, holdService, {} as ApiConfig);

    // Two making at once, MAKING_WAITING_MAX waiting behind them.
    const accepted = Array.from({ length: 2 + MAKING_WAITING_MAX }, (_, i) =>
      maker.thumbnail('t', prediction(i)),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(holds).toHaveLength(2);

    const refused = await maker.thumbnail('t', prediction(10_000)).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).getStatus()).toBe(503);
    expect((refused as ApiError).code).toBe('queue_full');
    expect((refused as ApiError).headers['Retry-After']).toMatch(/^\d+$/);
    // The same thumbnail asked again joins its making instead of being refused.
    const joined = maker.thumbnail('t', prediction(MAKING_WAITING_MAX));

    // Let every making through, in turn (their images are no longer used: no thumbnail, null).
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    for (let released = 0; released < accepted.length; released++) {
      while (holds.length === 0) await tick();
      holds.shift()!();
    }
    expect(await Promise.all(accepted)).toEqual(accepted.map(() => null));
    expect(await joined).toBeNull();
    // With the queue empty again, a new request is taken.
    const later = maker.thumbnail('t', prediction(10_001));
    while (holds.length === 0) await tick();
    holds.shift()!();
    expect(await later).toBeNull();
  });
});
