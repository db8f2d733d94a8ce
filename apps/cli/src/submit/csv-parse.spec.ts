import { parseCsv } from './csv-parse';

describe('parseCsv', () => {
  it('reads RFC 4180: quotes, doubled quotes, commas and line breaks inside quotes, CRLF or LF', () => {
    const text =
      '\uFEFFpath,accession,note\r\n2019/a.jpg,A-1,"one, two"\n"b ""x"".jpg",A-2,"line\nbreak"\n\nc.jpg,,\n';
    expect(parseCsv(text)).toEqual([
      ['path', 'accession', 'note'],
      ['2019/a.jpg', 'A-1', 'one, two'],
      ['b "x".jpg', 'A-2', 'line\nbreak'],
      ['c.jpg', '', ''],
    ]);
  });

  it('keeps a last line without a line end', () => {
    expect(parseCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
});
