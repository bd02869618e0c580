/**
 * Which of a user's tabs shows notifications: exactly one, and only while none of them is in view.
 *
 * - One leader per browser and user: a Web Lock held for the tab's life. When the leader closes,
 *   the browser hands the lock to another tab; without Web Locks every tab leads, and the
 *   per-dialog notification tag still folds their notifications into one.
 * - Visibility is shared over a BroadcastChannel, so a hidden leader stays quiet while the user
 *   looks at another Parley tab (that tab shows the message itself).
 */
export class TabCoordinator {
  private leading = false;
  private readonly tabId = crypto.randomUUID();
  private readonly visibleTabs = new Set<string>();
  private readonly channel: BroadcastChannel | null;
  private release: (() => void) | null = null;
  private readonly onVisibility = () => this.announce();
  private readonly onPageHide = () => this.channel?.postMessage({ tabId: this.tabId, visible: false });

  constructor(userId: string) {
    this.channel =
      typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(`parley-tabs-${userId}`);
    this.channel?.addEventListener("message", (event: MessageEvent<TabMessage>) =>
      this.onMessage(event.data),
    );
    document.addEventListener("visibilitychange", this.onVisibility);
    window.addEventListener("pagehide", this.onPageHide);
    if (typeof navigator.locks?.request === "function") {
      void navigator.locks.request(`parley-notify-${userId}`, () => {
        this.leading = true;
        // A new leader does not know the others' visibility: ask.
        this.channel?.postMessage({ tabId: this.tabId, ask: true });
        return new Promise<void>((resolve) => {
          this.release = resolve;
        });
      });
    } else {
      this.leading = true;
    }
    this.announce();
  }

  /** True in the one tab that should notify now. */
  shouldNotify(): boolean {
    if (!this.leading || document.visibilityState === "visible") return false;
    return this.visibleTabs.size === 0;
  }

  stop(): void {
    this.release?.();
    this.onPageHide();
    this.channel?.close();
    document.removeEventListener("visibilitychange", this.onVisibility);
    window.removeEventListener("pagehide", this.onPageHide);
  }

  private announce(): void {
    this.channel?.postMessage({ tabId: this.tabId, visible: document.visibilityState === "visible" });
  }

  private onMessage(message: TabMessage): void {
    if (message.ask) {
      this.announce();
      return;
    }
    if (message.visible) this.visibleTabs.add(message.tabId);
    else this.visibleTabs.delete(message.tabId);
  }
}

type TabMessage = { tabId: string; visible?: boolean; ask?: boolean };
