/** The grid's "Copy as" formats, as pure functions of column names and API row values. */
import { describe, expect, it } from 'vitest';
import { copyAs } from '../../web/src/lib/copy-as.ts';

const columns = ['id', 'name', 'note'];
const rows: unknown[][] = [
  [1, 'AC/DC', null],
  ['9007199254740993', 'O\'Brien, "the" band', 'two\nlines\tand a tab | pipe'],
];

describe('copyAs', () => {
  it('TSV: header, tab-separated, awkward fields quoted, NULL empty', () => {
    expect(copyAs('tsv', columns, rows)).toBe(
      [
        'id\tname\tnote',
        '1\tAC/DC\t',
        '9007199254740993\t"O\'Brien, ""the"" band"\t"two\nlines\tand a tab | pipe"',
      ].join('\r\n'),
    );
  });

  it('CSV: RFC 4180 quoting of commas, quotes and line breaks', () => {
    expect(copyAs('csv', columns, rows)).toBe(
      [
        'id,name,note',
        '1,AC/DC,',
        '9007199254740993,"O\'Brien, ""the"" band","two\nlines\tand a tab | pipe"',
      ].join('\r\n'),
    );
  });

  it('JSON: objects keyed by column, values as the API sent them, repeated names suffixed', () => {
    const parsed = JSON.parse(copyAs('json', ['id', 'id', 'doc'], [[1, '2', { a: [1] }]]));
    expect(parsed).toEqual([{ id: 1, id_2: '2', doc: { a: [1] } }]);
    expect(JSON.parse(copyAs('json', columns, rows))[0]).toEqual({ id: 1, name: 'AC/DC', note: null });
  });

  it('Markdown: a table with pipes escaped and line breaks kept on one line', () => {
    expect(copyAs('markdown', columns, rows).split('\n')).toEqual([
      '| id | name | note |',
      '| --- | --- | --- |',
      '| 1 | AC/DC | NULL |',
      '| 9007199254740993 | O\'Brien, "the" band | two<br>lines\tand a tab \\| pipe |',
    ]);
  });

  it('SQL INSERT: one statement per row, quoted identifiers and escaped literals', () => {
    expect(copyAs('sql', columns, rows, { table: 'main.Artist' })).toBe(
      [
        `INSERT INTO "main"."Artist" ("id", "name", "note") VALUES (1, 'AC/DC', NULL);`,
        `INSERT INTO "main"."Artist" ("id", "name", "note") VALUES ('9007199254740993', 'O''Brien, "the" band', 'two\nlines\tand a tab | pipe');`,
      ].join('\n'),
    );
    expect(
      copyAs('sql', ['we`ird', 'b', 'bin', 'j'], [[true, Number.NaN, { $binary: 'AP8=' }, { k: "it's" }]], {
        quote: '`',
      }),
    ).toBe(
      "INSERT INTO `results` (`we``ird`, `b`, `bin`, `j`) VALUES (TRUE, NULL, X'00ff', '{\"k\":\"it''s\"}');",
    );
  });

  it('binary reads as hex in the text formats rather than as base64', () => {
    expect(copyAs('csv', ['b'], [[{ $binary: 'AP8=' }]])).toBe('b\r\n\\x00ff');
  });
});
