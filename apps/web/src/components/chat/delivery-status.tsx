import type { DeliveryState } from "~/sync/types";

const LABEL: Record<DeliveryState, string> = {
  pending: "Sending",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  failed: "Not sent",
};

const GLYPH: Record<DeliveryState, string> = {
  pending: "◷",
  sent: "✓",
  delivered: "✓✓",
  read: "✓✓",
  failed: "!",
};

export function DeliveryStatus({ state }: { state: DeliveryState }) {
  return (
    <span className={`delivery delivery-${state}`} data-delivery={state} title={LABEL[state]}>
      <span aria-hidden="true">{GLYPH[state]}</span>
      <span className="visually-hidden">{LABEL[state]}</span>
    </span>
  );
}
