import { describe, expect, it } from "vitest";
import { csvCell, CsvParseError, parseCsv, parseCsvRecords, toCsv, type CsvColumn } from "./csv";

describe("csvCell", () => {
  it("leaves plain text and numbers alone", () => {
    expect(csvCell("Acme Corp")).toBe("Acme Corp");
    expect(csvCell(12500.5)).toBe("12500.5");
    expect(csvCell("12500.50")).toBe("12500.50");
    expect(csvCell(true)).toBe("true");
  });

  it("writes null and undefined as an empty cell", () => {
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
  });

  it("quotes cells with a comma, a quote or a line break, doubling quotes", () => {
    expect(csvCell("Acme, Inc.")).toBe('"Acme, Inc."');
    expect(csvCell('The "Big" Deal')).toBe('"The ""Big"" Deal"');
    expect(csvCell("line one\nline two")).toBe('"line one\nline two"');
    expect(csvCell("a\r\nb")).toBe('"a\r\nb"');
  });

  it.each(["=SUM(A1:A9)", "+1+2", "-2+3", "@cmd", "\tTAB", "\rCR"])(
    "neutralizes the formula-like cell %j with a leading quote",
    (text) => {
      const cell = csvCell(text);
      expect(cell.replace(/^"/, "").startsWith("'")).toBe(true);
      expect(cell).toContain(text.replace(/"/g, '""'));
    },
  );

  it("neutralizes and then quotes a formula with a comma", () => {
    expect(csvCell('=HYPERLINK("http://x.test","click")')).toBe(`"'=HYPERLINK(""http://x.test"",""click"")"`);
  });

  it("does not neutralize a formula character in the middle, or a negative number", () => {
    expect(csvCell("a=b")).toBe("a=b");
    expect(csvCell("user@example.com")).toBe("user@example.com");
    expect(csvCell(-5)).toBe("-5");
  });
});

describe("toCsv", () => {
  type Row = { id: number; name: string; note: string | null };
  const columns: CsvColumn<Row>[] = [
    { header: "ID", value: (r) => r.id },
    { header: "Name", value: (r) => r.name },
    { header: "Note, if any", value: (r) => r.note },
  ];

  it("writes a header and one CRLF-terminated line per row", () => {
    const csv = toCsv(
      [
        { id: 1, name: "Acme", note: null },
        { id: 2, name: "Beta, Ltd", note: "=1+1" },
      ],
      columns,
    );
    expect(csv).toBe('ID,Name,"Note, if any"\r\n1,Acme,\r\n2,"Beta, Ltd",\'=1+1\r\n');
  });

  it("writes only the header for no rows", () => {
    expect(toCsv([], columns)).toBe('ID,Name,"Note, if any"\r\n');
  });

  it("keeps a quoted line break inside one record", () => {
    const csv = toCsv([{ id: 3, name: "Multi\nline", note: "" }], columns);
    expect(csv.split("\r\n")).toEqual(['ID,Name,"Note, if any"', '3,"Multi\nline",', ""]);
  });
});

describe("parseCsv", () => {
  it("reads plain records with LF or CRLF line ends", () => {
    expect(parseCsv("a,b,c\n1,2,3")).toEqual([["a", "b", "c"], ["1", "2", "3"]]);
    expect(parseCsv("a,b\r\n1,2\r\n")).toEqual([["a", "b"], ["1", "2"]]);
  });

  it("ignores one final line break but keeps empty fields", () => {
    expect(parseCsv("a,b\n1,\n")).toEqual([["a", "b"], ["1", ""]]);
    expect(parseCsv("a,b\n,\n")).toEqual([["a", "b"], ["", ""]]);
    expect(parseCsv("a,")).toEqual([["a", ""]]);
    expect(parseCsv("")).toEqual([]);
  });

  it("reads quoted fields with commas, doubled quotes and line breaks", () => {
    expect(parseCsv('name,note\r\n"Acme, Inc.","The ""Big"" Deal"\r\n"two\r\nlines",x\r\n')).toEqual([
      ["name", "note"],
      ["Acme, Inc.", 'The "Big" Deal'],
      ["two\r\nlines", "x"],
    ]);
    expect(parseCsv('""\n""""')).toEqual([[""], ['"']]);
  });

  it("drops a UTF-8 byte-order mark", () => {
    expect(parseCsv("\uFEFFdomain,mrr\nacme.com,1")).toEqual([["domain", "mrr"], ["acme.com", "1"]]);
  });

  it("keeps a quote in the middle of an unquoted field as it is", () => {
    expect(parseCsv('a 12" pipe,b')).toEqual([['a 12" pipe', "b"]]);
  });

  it("says on which line a record starts, also after a quoted line break", () => {
    const records = parseCsvRecords('h1,h2\n"multi\nline",1\n\nlast,2\n');
    expect(records.map((r) => r.line)).toEqual([1, 2, 4, 5]);
    expect(records[2]!.fields).toEqual([""]);
  });

  it("throws a clear error with the line number on an unterminated quote", () => {
    const text = 'a,b\n1,2\n3,"never closed\n4,5\n';
    expect(() => parseCsv(text)).toThrow(CsvParseError);
    expect(() => parseCsv(text)).toThrow(/Line 3: .*closing quote/);
    try {
      parseCsv(text);
    } catch (error) {
      expect((error as CsvParseError).line).toBe(3);
    }
  });

  it("refuses text after a closing quote", () => {
    expect(() => parseCsv('a\n"x"y,z')).toThrow(/Line 2: unexpected text after a closing quote/);
  });

  it("reads back what toCsv writes", () => {
    type Row = { id: number; name: string };
    const rows: Row[] = [
      { id: 1, name: 'Quote " and, comma' },
      { id: 2, name: "line\nbreak" },
    ];
    const csv = toCsv(rows, [
      { header: "id", value: (r) => r.id },
      { header: "name", value: (r) => r.name },
    ]);
    expect(parseCsv(csv)).toEqual([["id", "name"], ["1", 'Quote " and, comma'], ["2", "line\nbreak"]]);
  });
});
