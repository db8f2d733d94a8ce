import { checkBatchFilename } from './batch-filename';

describe('checkBatchFilename', () => {
  it.each([
    ['2019/derm/IMG_0001.jpg', '2019/derm/IMG_0001.jpg'],
    ['IMG_0001.jpg', 'IMG_0001.jpg'],
    ['2019\\derm\\IMG_0001.jpg', '2019/derm/IMG_0001.jpg'],
    ['./2019//derm/./a.jpg', '2019/derm/a.jpg'],
    ['ünïcødé/äpfel 1.png', 'ünïcødé/äpfel 1.png'],
    ['=cmd|calc.jpg', '=cmd|calc.jpg'],
  ])('keeps %j as %j', (raw, kept) => {
    expect(checkBatchFilename(raw)).toEqual({ ok: true, filename: kept });
  });

  it.each([
    '/etc/passwd',
    '\\\\server\\share\\a.jpg',
    'C:\\photos\\a.jpg',
    '../a.jpg',
    'a/../../b.jpg',
    'a\u0000b.jpg',
    'a\nb.jpg',
    'a\tb.jpg',
    'a\rb.jpg',
    'photo\u202Egpj.exe',
    'x\u2066y.jpg',
    '',
    './',
    'x'.repeat(1025),
  ])('refuses case %# with a sentence', (raw) => {
    const check = checkBatchFilename(raw);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toMatch(/\.$/);
  });
});
