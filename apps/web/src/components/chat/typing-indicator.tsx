export function TypingIndicator({ names }: { names: string[] }) {
  const text =
    names.length === 0
      ? ""
      : names.length === 1
        ? `${names[0]} is typing…`
        : names.length === 2
          ? `${names[0]} and ${names[1]} are typing…`
          : "Several people are typing…";
  // Always rendered so screen readers have a stable polite region to announce changes in.
  return (
    <div className="typing" aria-live="polite">
      {text}
    </div>
  );
}
