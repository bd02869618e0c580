import { findSearchMatches } from "@parley/protocol";

/**
 * Marks the focused message in the rendered timeline without touching how the timeline renders: the
 * element (found by its `data-seq`) is scrolled to the middle and flagged `data-focused`, and the
 * matched words are painted with the CSS Custom Highlight API (`::highlight(search-match)`), which
 * styles text ranges without changing the DOM React owns. Answers false if the message is not there.
 */
const HIGHLIGHT_NAME = "search-match";

export function markFocusedMessage(root: HTMLElement, seq: number, words: readonly string[]): boolean {
  for (const previous of root.querySelectorAll<HTMLElement>("[data-focused]"))
    delete previous.dataset.focused;
  const element = root.querySelector<HTMLElement>(`[data-seq="${seq}"]`);
  if (!element) return false;
  element.dataset.focused = "true";
  element.scrollIntoView({ block: "center" });
  paintMatches(element, words);
  return true;
}

export function clearFocusedMessage(root: HTMLElement | null): void {
  for (const previous of root?.querySelectorAll<HTMLElement>("[data-focused]") ?? [])
    delete previous.dataset.focused;
  if (typeof CSS !== "undefined" && "highlights" in CSS) CSS.highlights.delete(HIGHLIGHT_NAME);
}

function paintMatches(element: HTMLElement, words: readonly string[]): void {
  if (typeof CSS === "undefined" || !("highlights" in CSS) || typeof Highlight === "undefined") return;
  const ranges: Range[] = [];
  const walker = document.createTreeWalker(
    element.querySelector(".message-text") ?? element,
    NodeFilter.SHOW_TEXT,
  );
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const [start, end] of findSearchMatches(node.textContent ?? "", words)) {
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, end);
      ranges.push(range);
    }
  }
  CSS.highlights.set(HIGHLIGHT_NAME, new Highlight(...ranges));
}
