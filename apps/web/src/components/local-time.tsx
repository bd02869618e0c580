"use client";

import { useSyncExternalStore } from "react";
import { formatFull } from "~/lib/format-time";

const subscribe = () => () => undefined;

/**
 * A time in the reader's own zone and locale. The server renders in its zone; once hydrated the
 * element is re-created with the browser's (a re-render alone would keep the server's text, since
 * React does not patch text it was told to ignore during hydration).
 */
export function LocalTime({
  at,
  format,
  className,
}: {
  at: number;
  format: (ms: number) => string;
  className?: string;
}) {
  const hydrated = useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
  return (
    <time
      key={hydrated ? "local" : "server"}
      className={className}
      dateTime={new Date(at).toISOString()}
      title={formatFull(at)}
      suppressHydrationWarning
    >
      {format(at)}
    </time>
  );
}
