/** The streaming dump splitter gives the same statements and lines however the text is chunked. */
import { describe, expect, it } from 'vitest';
import { DumpSplitter, type SplitStatement } from '../../../worker/hosted-sqlite/dump-splitter.ts';

const TEXT = `-- header; with a semicolon
CREATE TABLE "a;b" (x TEXT, [y;z] INT, \`q\` BLOB);
INSERT INTO "a;b" VALUES('it''s -- not a comment; really', 1, x'00ff');
/* block; comment */ INSERT INTO "a;b" VALUES('two
lines;', 2, NULL);
CREATE TRIGGER t AFTER INSERT ON "a;b" BEGIN
  INSERT INTO log VALUES (new.x);
  UPDATE log SET n = CASE WHEN n > 1 THEN 0 ELSE 1 END;
END;
CREATE TEMP TRIGGER u BEFORE DELETE ON "a;b" BEGIN SELECT 1; END;
SELECT 'last without semicolon'`;

function split(chunks: string[]): SplitStatement[] {
  const splitter = new DumpSplitter();
  const out = chunks.flatMap((c) => splitter.push(c));
  const last = splitter.end();
  return last ? [...out, last] : out;
}

describe('DumpSplitter', () => {
  const whole = split([TEXT]);

  it('splits on semicolons outside strings, names, comments and trigger bodies, with start lines', () => {
    expect(whole.map((s) => s.line)).toEqual([2, 3, 4, 6, 10, 11]);
    expect(whole[1]!.sql).toBe(`INSERT INTO "a;b" VALUES('it''s -- not a comment; really', 1, x'00ff');`);
    expect(whole[2]!.sql).toMatch(/^\/\* block; comment \*\/ INSERT .*\nlines;', 2, NULL\);$/s);
    expect(whole[3]!.sql).toMatch(/^CREATE TRIGGER t .*END;$/s);
    expect(whole[4]!.sql).toBe('CREATE TEMP TRIGGER u BEFORE DELETE ON "a;b" BEGIN SELECT 1; END;');
    expect(whole[5]!.sql).toBe("SELECT 'last without semicolon'");
  });

  it('gives the same result one character at a time', () => {
    expect(split([...TEXT])).toEqual(whole);
  });

  it('holds only the statement being read', () => {
    const splitter = new DumpSplitter();
    splitter.push('INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (');
    expect(splitter.pending).toBeLessThan(30);
  });
});
