import { skipByName } from './skip-rules';

describe('skipByName', () => {
  it.each([
    ['.DS_Store', false, 'system'],
    ['Thumbs.db', false, 'system'],
    ['desktop.ini', false, 'system'],
    ['$RECYCLE.BIN', true, 'system'],
    ['__MACOSX', true, 'system'],
    ['._IMG_0001.jpg', false, 'hidden'],
    ['.git', true, 'hidden'],
    ['IMG_0001.jpg', false, null],
    ['2019', true, null],
    ['thumbs.db.jpg', false, null],
  ])('%s (dir: %s) -> %s', (name, isDirectory, expected) => {
    expect(skipByName(name, isDirectory)).toBe(expected);
  });
});
