import { initials } from "./initials";

/**
 * A person's or group's picture: the uploaded image when there is one (its URL changes with every
 * new avatar, so it may be cached), else the initials of the name. `online` adds a presence dot.
 */
export function Avatar({
  name,
  url,
  group = false,
  online = false,
}: {
  name: string;
  url?: string | null;
  group?: boolean;
  online?: boolean;
}) {
  return (
    <span className={`avatar${group ? " group" : ""}${url ? " has-image" : ""}`} aria-hidden="true">
      {url ? <img src={url} alt="" loading="lazy" decoding="async" /> : initials(name)}
      {online ? <span className="presence-dot" data-testid="presence-dot" /> : null}
    </span>
  );
}
