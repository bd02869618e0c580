export default function InboxPage() {
  return (
    <section className="empty-pane" aria-label="No conversation selected">
      <h2>Pick a conversation</h2>
      <p>Choose one from the list, or start a new chat by handle.</p>
    </section>
  );
}
