import { Menu, Tray, nativeImage, type BrowserWindow } from 'electron';

/** Keeps the app (and so the phone line) alive with the window closed. */
export function createTray(iconPath: string, showWindow: () => BrowserWindow, quit: () => void): Tray {
  const tray = new Tray(nativeImage.createFromPath(iconPath));
  tray.setToolTip('AgentLocator — עונה לשיחות');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'פתיחת AgentLocator', click: () => showWindow().show() },
      { type: 'separator' },
      { label: 'יציאה (השיחות לא ייענו)', click: quit },
    ]),
  );
  tray.on('click', () => showWindow().show());
  return tray;
}
