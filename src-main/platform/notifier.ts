/** Desktop notifications: Electron's Notification in the app, a browser notification in browser mode. */
export interface DesktopNotification {
  title: string;
  body: string;
  /** Renderer route to open when clicked, e.g. `/calls/12`. */
  route?: string;
}

export interface Notifier {
  notify(n: DesktopNotification): void;
}
