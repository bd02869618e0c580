import { describe, expect, test } from "bun:test";
import { cleanFileName, contentDisposition } from "./file-name";

describe("cleanFileName", () => {
  test("keeps the last path part, drops disguising characters", () => {
    expect(cleanFileName("C:\\Users\\x\\report.pdf")).toBe("report.pdf");
    expect(cleanFileName("../../etc/passwd")).toBe("passwd");
    // A right-to-left override would show "photo_gpj.exe" as "photo_exe.jpg".
    expect(cleanFileName("photo_\u202Egpj.exe")).toBe("photo_gpj.exe");
    expect(cleanFileName("a\u0000b\nc.txt")).toBe("abc.txt");
    expect(cleanFileName("")).toBe("file");
    expect(cleanFileName("..")).toBe("file");
    expect([...cleanFileName("é".repeat(400))].length).toBe(255);
  });

  test("Content-Disposition carries an ASCII fallback and the exact UTF-8 name", () => {
    expect(contentDisposition("attachment", 'naïve "quote".pdf')).toBe(
      `attachment; filename="na_ve _quote_.pdf"; filename*=UTF-8''na%C3%AFve%20%22quote%22.pdf`,
    );
  });
});
