import { afterEach, describe, expect, test } from "bun:test";
import { ApiError } from "./api";
import { ReadReports } from "./read-reports";
import { engines, fakeApi, start } from "./testing/fakes";

afterEach(() => {
  for (const engine of engines.splice(0)) engine.stop();
});

function reporter(fail: (seq: number) => boolean = () => false) {
  const writes: { dialogId: string; seq: number }[] = [];
  const errors: unknown[] = [];
  const reports = new ReadReports(
    async (input) => {
      writes.push(input);
      if (fail(input.seq)) throw new ApiError("INTERNAL_SERVER_ERROR", "down");
    },
    1,
    (error) => errors.push(error),
  );
  return { reports, writes, errors };
}

describe("ReadReports (markRead, debounced per dialog, forward only)", () => {
  test("reports in one window are one write of the highest seq; lower or equal ones later write nothing", async () => {
    const { reports, writes } = reporter();
    await Promise.all([reports.report("9", 3), reports.report("9", 7), reports.report("9", 5)]);
    expect(writes).toEqual([{ dialogId: "9", seq: 7 }]);
    await Promise.all([reports.report("9", 7), reports.report("9", 2)]);
    expect(writes).toHaveLength(1);
    await reports.report("9", 8);
    expect(writes).toEqual([
      { dialogId: "9", seq: 7 },
      { dialogId: "9", seq: 8 },
    ]);
  });

  test("each dialog has its own window and watermark", async () => {
    const { reports, writes } = reporter();
    await Promise.all([reports.report("9", 4), reports.report("11", 2), reports.report("9", 6)]);
    expect(writes.sort((a, b) => a.dialogId.localeCompare(b.dialogId))).toEqual([
      { dialogId: "11", seq: 2 },
      { dialogId: "9", seq: 6 },
    ]);
  });

  test("a failed write is reported, and the same seq is written when it is reported again", async () => {
    let down = true;
    const { reports, writes, errors } = reporter(() => down);
    await reports.report("9", 5);
    expect(errors).toHaveLength(1);
    down = false;
    await reports.report("9", 5);
    expect(writes).toEqual([
      { dialogId: "9", seq: 5 },
      { dialogId: "9", seq: 5 },
    ]);
  });

  test("stop() drops reports not yet sent and releases whoever waits on them", async () => {
    const { reports, writes } = reporter();
    const waiting = reports.report("9", 5);
    reports.stop();
    await waiting;
    expect(writes).toEqual([]);
  });
});

test("ChatEngine.markRead goes through the debounce: one dialog.markRead for a burst of sightings", async () => {
  const server = fakeApi(5);
  const marks: { dialogId: string; seq: number }[] = [];
  server.api.markRead = async (input) => {
    marks.push(input);
  };
  const engine = start(server.api, { markReadDebounceMs: 1 });
  await engine.start();
  await engine.settled();
  await Promise.all([1, 2, 3, 5, 4].map((seq) => engine.markRead("9", seq)));
  expect(marks).toEqual([{ dialogId: "9", seq: 5 }]);
  // No seq: up to what the engine holds, which was already reported.
  await engine.markRead("9");
  expect(marks).toHaveLength(1);
});
