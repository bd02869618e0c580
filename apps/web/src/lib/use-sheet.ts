"use client";

import { type PointerEvent, useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";

const PHONE_QUERY = "(max-width: 760px)";
// A downward drag this long (or a quick flick) dismisses the sheet.
const DISMISS_DRAG_PX = 80;

function subscribePhone(listener: () => void) {
  const query = window.matchMedia(PHONE_QUERY);
  query.addEventListener("change", listener);
  return () => query.removeEventListener("change", listener);
}

/** True at phone width (the layout's one-pane breakpoint). */
export function useIsPhone(): boolean {
  return useSyncExternalStore(
    subscribePhone,
    () => window.matchMedia(PHONE_QUERY).matches,
    () => false,
  );
}

/**
 * A bottom sheet that goes away the ways a phone user expects: the back gesture or button (the
 * open sheet is a history entry), a swipe down on it, a tap outside, or Escape. `close` is for the
 * sheet's own buttons: it leaves through history too, so Back is never spent twice.
 */
export function useSheet(onClose: () => void, enabled: boolean) {
  const [dragY, setDragY] = useState(0);
  const start = useRef<{ y: number; at: number } | null>(null);
  const pushed = useRef(false);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    if (!enabled) return;
    window.history.pushState({ parleySheet: true }, "");
    pushed.current = true;
    const onPop = () => {
      pushed.current = false;
      onCloseRef.current();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") window.history.back();
    };
    window.addEventListener("popstate", onPop);
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("popstate", onPop);
      window.removeEventListener("keydown", onKey);
      // Gone some other way (a navigation, "Leave group"): going back now would undo that
      // navigation, so the extra entry (same URL) stays.
      pushed.current = false;
    };
  }, [enabled]);

  const close = useCallback(() => {
    if (enabled && pushed.current) window.history.back();
    else onCloseRef.current();
  }, [enabled]);

  const dragHandlers = {
    onPointerDown: (event: PointerEvent<HTMLElement>) => {
      start.current = { y: event.clientY, at: event.timeStamp };
      event.currentTarget.setPointerCapture(event.pointerId);
    },
    onPointerMove: (event: PointerEvent<HTMLElement>) => {
      if (start.current) setDragY(Math.max(0, event.clientY - start.current.y));
    },
    onPointerUp: (event: PointerEvent<HTMLElement>) => {
      const from = start.current;
      start.current = null;
      if (!from) return;
      const distance = event.clientY - from.y;
      const speed = distance / Math.max(1, event.timeStamp - from.at);
      setDragY(0);
      if (distance > DISMISS_DRAG_PX || speed > 0.6) close();
    },
    onPointerCancel: () => {
      start.current = null;
      setDragY(0);
    },
  };
  return { close, dragY, dragHandlers };
}
