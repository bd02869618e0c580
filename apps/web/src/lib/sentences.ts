/**
 * Server refusals and validation issues as sentences a person can act on. The API speaks in short
 * lowercase phrases for developers ("cannot open a direct dialog with yourself"); the UI says what
 * happened and what to do.
 */

const SERVER_SENTENCES: Record<string, string> = {
  "cannot open a direct dialog with yourself": "You can't start a chat with yourself.",
  "no user with this handle": "No one has that handle.",
  "wrong handle or password": "Wrong handle or password.",
  "this handle is taken": "That handle is taken. Try another one.",
  "not a member": "You are not in this conversation any more.",
  "dialog not found": "This conversation does not exist, or you are not in it.",
  "only admins add members": "Only the group's admins can add members.",
  "not allowed to remove this member": "You can't remove this member.",
  "direct dialogs have fixed members":
    "A direct chat always has the same two people. Start a group to add more.",
  "use dialog.leave to leave": "Use “Leave group” to leave.",
  "dialog busy; retry shortly": "This conversation is busy. Try again in a moment.",
  "the server is busy signing people in; try again shortly":
    "Parley is busy signing people in. Try again in a moment.",
  "cross-site request refused":
    "This request came from another site and was refused. Reload the page and try again.",
  "sign in required": "Sign in to continue.",
};

const CODE_SENTENCES: Record<string, string> = {
  TOO_MANY_REQUESTS: "That was a lot of tries at once. Wait a moment and try again.",
  INTERNAL_SERVER_ERROR: "Something went wrong on our side. Please try again.",
};

/** Capitalised, ending in a full stop: the fallback for a phrase without a sentence of its own. */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

export function serverSentence(message: string, code?: string): string {
  const known = SERVER_SENTENCES[message.trim().toLowerCase()];
  if (known) return known;
  if (code && CODE_SENTENCES[code]) return CODE_SENTENCES[code];
  return asSentence(message || "The request failed");
}

/** How each form field is named when it is left empty ("Enter your handle."). */
const EMPTY_FIELD: Record<string, string> = {
  handle: "Enter your handle.",
  password: "Enter your password.",
  displayName: "Enter the name people will see.",
  title: "Give the group a title.",
  text: "Write a message first.",
};

const FIELD_NAMES: Record<string, string> = {
  handle: "Your handle",
  password: "Your password",
  displayName: "Your display name",
  title: "The title",
};

export type IssueLike = {
  code?: string;
  message?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
};

/**
 * One validation issue as a sentence. Zod's own defaults ("Too small: expected string to have >=1
 * characters") are rewritten; messages the schemas wrote for people are kept, capitalised.
 */
export function issueSentence(field: string, issue: IssueLike, value?: string): string {
  const min = issue.minimum === undefined ? undefined : Number(issue.minimum);
  const max = issue.maximum === undefined ? undefined : Number(issue.maximum);
  const isEmpty = value !== undefined ? value.trim() === "" : issue.code === "too_small" && min === 1;
  if (isEmpty && EMPTY_FIELD[field]) return EMPTY_FIELD[field];
  const message = issue.message ?? "";
  const subject = FIELD_NAMES[field] ?? "This field";
  if (/^(too small|too big|invalid input)/i.test(message) || message === "") {
    if (issue.code === "too_small" && min !== undefined)
      return `${subject} needs at least ${min} characters.`;
    if (issue.code === "too_big" && max !== undefined)
      return `${subject} can have at most ${max} characters.`;
    return `${subject} is not valid.`;
  }
  return asSentence(message);
}
