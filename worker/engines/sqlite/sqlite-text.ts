/**
 * D1 runs every statement of a prepared string (EXPLAIN included: `EXPLAIN select 1; drop …`
 * explains the first and runs the rest), so the SQLite engine must know, before anything reaches
 * D1, whether a text holds more than one statement. This walks SQLite's lexical rules — quoted
 * strings and names, comments — and reports a `;` followed by anything but space and comments.
 */
export function hasSecondStatement(sql: string): boolean {
  let i = 0;
  let ended = false;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? sql.length : eol + 1;
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close === -1 ? sql.length : close + 2;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === ';') {
      ended = true;
      i++;
    } else {
      if (ended) return true;
      const close = { "'": "'", '"': '"', '`': '`', '[': ']' }[c];
      if (close) {
        // A doubled quote inside stays inside; an unterminated one runs to the end (a syntax error).
        let j = i + 1;
        for (; j < sql.length; j++) {
          if (sql[j] === close) {
            if (close !== ']' && sql[j + 1] === close) j++;
            else break;
          }
        }
        i = j + 1;
      } else {
        i++;
      }
    }
  }
  return false;
}
