import { Menu, Tray, nativeImage } from 'electron';
import { trayModel, type LineState, type TrayAction } from './tray-model';

/** Keeps the app (and so the phone line) alive with the window closed; shows the line's state. */
export class AppTray {
  private readonly tray: Tray;
  private line: LineState = 'starting';
  private openAtLogin = false;

  constructor(
    iconPath: string,
    private readonly act: (action: TrayAction) => void,
  ) {
    this.tray = new Tray(nativeImage.createFromPath(iconPath));
    this.tray.on('click', () => this.act('open'));
    this.render();
  }

  update(change: { line?: LineState; openAtLogin?: boolean }): void {
    if (change.line) this.line = change.line;
    if (change.openAtLogin !== undefined) this.openAtLogin = change.openAtLogin;
    this.render();
  }

  private render(): void {
    const model = trayModel(this.line, this.openAtLogin);
    this.tray.setToolTip(model.tooltip);
    this.tray.setContextMenu(
      Menu.buildFromTemplate(
        model.items.map((i) => {
          switch (i.type) {
            case 'separator':
              return { type: 'separator' as const };
            case 'status':
              return { label: i.label, enabled: false };
            case 'checkbox':
              return {
                label: i.label,
                type: 'checkbox' as const,
                checked: i.checked,
                click: () => this.act(i.action),
              };
            case 'action':
              return { label: i.label, click: () => this.act(i.action) };
          }
        }),
      ),
    );
  }
}
