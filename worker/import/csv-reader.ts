import Papa from 'papaparse';
import { ApiError } from '../errors.ts';

/**
 * Parses CSV from a byte stream record by record. Papa's low-level parser is fed
 * the text that has arrived; with `ignoreLastRow` it stops before a record that
 * may continue (even inside a quoted field spanning chunks), and its cursor says
 * where the unparsed rest starts. At most one chunk plus one partial record is
 * held, however large the upload.
 */
export async function* readCsv(body: ReadableStream<Uint8Array>, maxBytes: number): AsyncGenerator<string[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let bytes = 0;
  let newline: '\n' | '\r\n' | '\r' | undefined;
  const parse = (final: boolean) => {
    newline ??= detectNewline(buffer);
    const parser = new Papa.Parser({ delimiter: ',', newline });
    const result: { data: string[][]; meta: { cursor: number } } = parser.parse(buffer, 0, !final);
    buffer = final ? '' : buffer.slice(result.meta.cursor);
    return result.data;
  };
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      throw new ApiError(413, 'payload_too_large', `CSV imports are limited to ${maxBytes} bytes`);
    }
    // stream: true keeps a UTF-8 sequence split across chunks for the next one.
    buffer += decoder.decode(value, { stream: true });
    // Parse only once a record boundary may be in the buffer.
    if (!buffer.includes('\n') && !buffer.includes('\r')) continue;
    for (const row of parse(false)) if (!isBlank(row)) yield row;
  }
  buffer += decoder.decode();
  if (buffer.length > 0) for (const row of parse(true)) if (!isBlank(row)) yield row;
}

const isBlank = (row: string[]) => row.length === 1 && row[0] === '';

/** The first line break outside quotes decides the file's newline. */
function detectNewline(text: string): '\n' | '\r\n' | '\r' | undefined {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '\r')
      return text[i + 1] === '\n' ? '\r\n' : i + 1 < text.length ? '\r' : undefined;
    else if (!quoted && ch === '\n') return '\n';
  }
  return undefined;
}
