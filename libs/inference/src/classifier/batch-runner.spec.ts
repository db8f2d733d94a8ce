import { PackingBuffers } from './batch-runner';

describe('PackingBuffers', () => {
  it('hands out views of one full-batch buffer and reuses what comes back', () => {
    const buffers = new PackingBuffers(8 * 10);
    const first = buffers.take(3 * 10);
    expect(first).toHaveLength(30);
    expect(first.buffer.byteLength).toBe(8 * 10 * 4);
    buffers.give(first);
    const second = buffers.take(8 * 10);
    expect(second.buffer).toBe(first.buffer);
    expect(second).toHaveLength(80);
  });

  it('keeps only a few buffers, ignores foreign ones, and allocates beyond its capacity', () => {
    const buffers = new PackingBuffers(4, 1);
    const a = buffers.take(4);
    const b = buffers.take(4);
    buffers.give(a);
    buffers.give(b); // over `keep`: dropped
    buffers.give(new Float32Array(3)); // not one of ours (wrong size): dropped
    expect(buffers.take(4).buffer).toBe(a.buffer);
    expect(buffers.take(4).buffer).not.toBe(b.buffer);
    expect(buffers.take(9)).toHaveLength(9);
  });
});
