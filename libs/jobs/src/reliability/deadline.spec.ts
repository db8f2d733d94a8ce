import { DeadlineExceededError, withDeadline } from './deadline';

describe('withDeadline', () => {
  it('answers with the value when it comes in time', async () => {
    await expect(withDeadline(Promise.resolve(7), 1000, 'late')).resolves.toBe(7);
  });

  it('passes on a failure that comes in time', async () => {
    await expect(withDeadline(Promise.reject(new Error('refused')), 1000, 'late')).rejects.toThrow('refused');
  });

  it('rejects with the message at the deadline, without waiting for the promise', async () => {
    const never = new Promise<string>(() => undefined);
    const started = Date.now();
    await expect(withDeadline(never, 30, 'no answer within 30 ms')).rejects.toEqual(
      new DeadlineExceededError('no answer within 30 ms'),
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
