import { HUB_PATH, parseHubMessage, type HubHello, type HubMessage, type PageMessage } from './frame-messages.js';

/**
 * A page's end of the hub (frame-hub.ts): embeds the one hidden app-origin frame, says
 * hello when it loads, handing it a MessagePort (posted with the app's origin as target,
 * so only an app-origin document gets it), and from then on talks on that port. Every
 * message from the hub is checked (frame-messages.ts) before a listener hears it.
 * Shared by the settings client and the visit reports of one page.
 */
export class HubClient {
  private readonly frame = document.createElement('iframe');
  private readonly listeners = new Set<(message: HubMessage) => void>();
  private readonly loadListeners = new Set<() => void>();
  private channel = new MessageChannel();
  private handedOver = false;
  private destroyed = false;
  /** True once the hub has said it runs (its `ready`). */
  ready = false;

  constructor(
    readonly appOrigin: string,
    path = HUB_PATH,
  ) {
    this.listen(this.channel.port1);
    this.frame.src = `${appOrigin}${path}`;
    this.frame.hidden = true;
    this.frame.setAttribute('aria-hidden', 'true');
    this.frame.tabIndex = -1;
    this.frame.addEventListener('load', () => this.hello());
    document.documentElement.append(this.frame);
  }

  /** Hears every checked message from the hub. Returns a function that stops listening. */
  onMessage(listener: (message: HubMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Hears each load of the frame's document, after the hello was sent to it. */
  onLoad(listener: () => void): void {
    this.loadListeners.add(listener);
  }

  /** Sends on the port; what is sent before the hub has it waits in the port. */
  send(message: PageMessage): void {
    if (!this.destroyed) this.channel.port1.postMessage(message);
  }

  private hello(): void {
    if (this.destroyed) return;
    // A second load (the frame navigated) is a new document: it needs a port of its own.
    if (this.handedOver) {
      this.channel.port1.close();
      this.channel = new MessageChannel();
      this.listen(this.channel.port1);
      this.ready = false;
    }
    this.handedOver = true;
    try {
      this.frame.contentWindow?.postMessage({ type: 'p2p-hub-hello', v: 1 } satisfies HubHello, this.appOrigin, [this.channel.port2]);
    } catch (err) {
      // The frame shows the browser's error page (the server is down): Firefox throws where
      // Chromium drops the message. The hub then never answers (known-choice.ts).
      console.info('[p2p] the app frame cannot be reached', err);
    }
    for (const listener of this.loadListeners) listener();
  }

  private listen(port: MessagePort): void {
    port.onmessage = (event: MessageEvent<unknown>) => {
      const message = parseHubMessage(event.data);
      if (!message) return console.warn('[p2p] ignored a malformed message from the app frame');
      if (message.type === 'ready') this.ready = true;
      for (const listener of this.listeners) listener(message);
    };
  }

  /** Removes the frame and closes the port; safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.channel.port1.close();
    this.frame.remove();
  }
}
