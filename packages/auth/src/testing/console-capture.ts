/**
 * Records everything written through console.* (and still prints it), so a test can assert that no
 * secret ever reached the logs.
 */
export function captureConsole(): { text: () => string; restore: () => void } {
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const lines: string[] = [];
  const originals = methods.map((method) => [method, console[method]] as const);
  for (const [method, original] of originals) {
    console[method] = (...args: unknown[]) => {
      lines.push(
        args
          .map((arg) =>
            arg instanceof Error
              ? `${arg.name}: ${arg.message}\n${arg.stack}`
              : typeof arg === "string"
                ? arg
                : Bun.inspect(arg),
          )
          .join(" "),
      );
      original.apply(console, args);
    };
  }
  return {
    text: () => lines.join("\n"),
    restore: () => {
      for (const [method, original] of originals) console[method] = original;
    },
  };
}
