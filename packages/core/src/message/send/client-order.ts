/**
 * Sends of one (dialog, client) that reach the SAME process are started in clientSeq order: a
 * pipelined burst (the engine sends up to 8 at once, usually in one HTTP batch) would otherwise race
 * for the dialog lock, and every send that won it ahead of its predecessor would be refused as
 * "ahead" and redone step by step with polling. Here the successor simply waits for its predecessor's
 * attempt (bounded by `waitMs`), then takes the one-transaction path. Sends that land on different
 * processes are still ordered by the database (Confirm's clientSeq rule and its bounded wait).
 */
export type SendOrder = Map<string, Map<number, Promise<unknown>>>;

export function createSendOrder(): SendOrder {
  return new Map();
}

export function inClientSeqOrder<T>(
  { sendOrder }: { sendOrder: SendOrder },
  key: { dialogId: string; clientId: string; clientSeq: number },
  waitMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const stream = `${key.dialogId}:${key.clientId}`;
  let inflight = sendOrder.get(stream);
  if (!inflight) {
    inflight = new Map();
    sendOrder.set(stream, inflight);
  }
  const predecessor = inflight.get(key.clientSeq - 1);
  const run = predecessor ? settledOrAfter(predecessor, waitMs).then(work) : work();
  const current = inflight;
  current.set(key.clientSeq, run);
  const forget = () => {
    if (current.get(key.clientSeq) === run) current.delete(key.clientSeq);
    if (current.size === 0 && sendOrder.get(stream) === current) sendOrder.delete(stream);
  };
  run.then(forget, forget);
  return run;
}

/** Resolves when `promise` settles (either way) or after `ms`, whichever is first. */
function settledOrAfter(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    promise.then(done, done);
  });
}
