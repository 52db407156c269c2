// CSV reading and writing (RFC 4180). The writer also neutralizes cells a spreadsheet would
// run as a formula, since exported cells carry text partners and customers typed.

export type CsvColumn<T> = {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
};

/** Spreadsheets treat a cell starting with one of these as a formula (or strip it into one). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell as text: a leading = + - @ tab or carriage return gets a single quote in front so
 * Excel, Sheets and LibreOffice show it as text instead of evaluating it ("CSV injection").
 * Numbers are written as they are (a negative number is data, not a formula).
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Header line, then one line per row; CRLF line ends as RFC 4180 says, and a final CRLF. */
export function toCsv<T>(rows: readonly T[], columns: readonly CsvColumn<T>[]): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.value(row))).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

// ---------------------------------------------------------------------------------------------
// Reading: RFC 4180 (quoted fields, "" inside quotes, CRLF or LF line ends), plus what real
// exports carry — a UTF-8 byte-order mark and a final line break.

/** A CSV file that cannot be read, with the 1-based line where the problem starts. */
export class CsvParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = "CsvParseError";
  }
}

export type CsvRecord = { line: number; fields: string[] };

function countLineBreaks(text: string, from: number, to: number) {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

/**
 * The records of a CSV text, each with the line it starts on (a quoted field may span lines),
 * so that messages about a record can point at the right line of the file.
 */
export function parseCsvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let recordLine = 1;
  let fields: string[] = [];
  let inRecord = false;

  while (i < n) {
    inRecord = true;
    let field: string;
    if (text.charCodeAt(i) === 34 /* " */) {
      const startLine = line;
      let value = "";
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1) {
          throw new CsvParseError(
            `Line ${startLine}: a quoted field starts here but its closing quote (") is missing.`,
            startLine,
          );
        }
        value += text.slice(from, q);
        line += countLineBreaks(text, from, q);
        if (text.charCodeAt(q + 1) === 34) {
          value += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      const next = text.charCodeAt(i);
      if (i < n && next !== 44 && next !== 10 && next !== 13) {
        throw new CsvParseError(
          `Line ${line}: unexpected text after a closing quote. A quote inside a quoted field must be doubled ("").`,
          line,
        );
      }
      field = value;
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === 44 || c === 10 || c === 13) break;
        j++;
      }
      field = text.slice(i, j);
      i = j;
    }
    fields.push(field);
    if (i >= n) break;
    const c = text.charCodeAt(i);
    if (c === 44) {
      i++;
      // A comma at the very end of the text still ends with an empty field.
      if (i >= n) fields.push("");
      continue;
    }
    // A line break ends the record (CRLF, LF or a lone CR).
    i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    records.push({ line: recordLine, fields });
    fields = [];
    inRecord = false;
    line++;
    recordLine = line;
  }
  if (inRecord) records.push({ line: recordLine, fields });
  return records;
}

/** The records of a CSV text as arrays of fields. Throws CsvParseError on an unclosed quote. */
export function parseCsv(text: string): string[][] {
  return parseCsvRecords(text).map((r) => r.fields);
}
