import { Menu, app, shell, type MenuItemConstructorOptions } from 'electron';

/**
 * The application menu: standard edit roles (so copy/paste work in every field, on macOS too), zoom, and a
 * Help entry that opens the log folder. Developer tools only in a development run.
 */
export function installMenu(options: { readonly logsDir: string; readonly isDev: boolean }): void {
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  if (options.isDev) view.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' });
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [{ role: 'quit' }] },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    {
      label: 'Help',
      submenu: [
        {
          label: 'Open log folder',
          click: () => {
            void shell.openPath(options.logsDir);
          },
        },
        { label: `Pipdesk ${app.getVersion()}`, enabled: false },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
