"use client";

import { useEffect, useId, useRef, useState } from "react";
import { NewDirectForm } from "./new-direct-form";
import { NewGroupForm } from "./new-group-form";

type Choice = "closed" | "menu" | "direct" | "group";

/**
 * One "+" at the top of the inbox: it offers a new chat or a new group, and only the chosen form
 * opens, under the list's title. Escape (or "+" again) closes whatever is open.
 */
export function NewConversationMenu() {
  const id = useId();
  const [choice, setChoice] = useState<Choice>("closed");
  const button = useRef<HTMLButtonElement>(null);
  const close = () => {
    setChoice("closed");
    button.current?.focus();
  };

  useEffect(() => {
    if (choice === "closed") return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") close();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [choice]);

  return (
    <div className="new-conversation">
      <div className="inbox-title-row">
        <h2 className="inbox-title">Chats</h2>
        <button
          ref={button}
          type="button"
          className="button icon-button"
          aria-label="New chat or group"
          aria-haspopup="menu"
          aria-expanded={choice !== "closed"}
          aria-controls={`${id}-menu`}
          onClick={() => setChoice((open) => (open === "closed" ? "menu" : "closed"))}
        >
          <span aria-hidden="true">+</span>
        </button>
      </div>
      {choice === "menu" ? (
        <div id={`${id}-menu`} role="menu" className="new-menu card" aria-label="New conversation">
          <button type="button" role="menuitem" className="new-menu-item" onClick={() => setChoice("direct")}>
            <strong>New chat</strong>
            <span className="muted">Talk to one person by handle</span>
          </button>
          <button type="button" role="menuitem" className="new-menu-item" onClick={() => setChoice("group")}>
            <strong>New group</strong>
            <span className="muted">A title and a few people</span>
          </button>
        </div>
      ) : null}
      {choice === "direct" ? <NewDirectForm id={`${id}-menu`} onDone={close} onCancel={close} /> : null}
      {choice === "group" ? <NewGroupForm id={`${id}-menu`} onDone={close} onCancel={close} /> : null}
    </div>
  );
}
