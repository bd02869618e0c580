/** The inbox page the server renders and the client keeps live (one query key for both). */
export const INBOX_LIMIT = 100;
/** Messages the server renders for an open conversation; the engine takes over from there. */
export const FIRST_PAGE = 60;
