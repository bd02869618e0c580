import { describe, expect, test } from "bun:test";
import { parsePeopleQuery, userSearchTermsOf } from "./search-terms";

describe("people search terms", () => {
  test("handle, each name word and the whole name, folded to one searchable form", () => {
    const terms = userSearchTermsOf({ handle: "Ann_Lee", displayName: "Ánn-Marie  LEE" });
    expect(terms.map((term) => [term.prefix, term.term, term.kind])).toEqual([
      ["ann", "ann_lee", "handle"],
      ["ann", "ann", "name"],
      ["mar", "marie", "name"],
      ["lee", "lee", "name"],
      ["ann", "ann-marie lee", "name"],
    ]);
  });

  test("words shorter than the prefix are not terms; a prefix is three characters, not bytes", () => {
    const terms = userSearchTermsOf({ handle: "wei", displayName: "Li Wei Ωμέγα" });
    expect(terms.map((term) => term.term)).toEqual(["wei", "ωμεγα", "li wei ωμεγα"]);
    expect(terms.find((term) => term.term === "ωμεγα")?.prefix).toBe("ωμε");
  });

  test("a query normalises the same way and needs three characters", () => {
    expect(parsePeopleQuery("  ÁNN ")).toEqual({ prefix: "ann", query: "ann" });
    expect(parsePeopleQuery("an")).toBeNull();
    expect(parsePeopleQuery("%%")).toBeNull();
    expect(parsePeopleQuery("ann   marie")).toEqual({ prefix: "ann", query: "ann marie" });
  });
});
