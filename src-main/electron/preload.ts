import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isIpcChannel, isIpcEvent, type PipdeskBridgeApi } from '../../src-core/contracts/ipc';

/**
 * The whole surface the renderer gets: `window.pipdesk.invoke` for the contract's channels and
 * `window.pipdesk.subscribe` for its events. Nothing of Electron or Node crosses the bridge; an unlisted name is
 * refused here and again in main.
 */
const api: PipdeskBridgeApi = {
  invoke(channel, request) {
    if (!isIpcChannel(channel)) {
      return Promise.resolve({
        ok: false,
        error: {
          code: 'UNKNOWN_CHANNEL',
          message: `There is no IPC channel named ${JSON.stringify(channel)}.`,
        },
      });
    }
    return ipcRenderer.invoke(channel, request);
  },
  subscribe(event, listener) {
    if (!isIpcEvent(event)) return () => undefined;
    // The Electron event object never reaches the page: it exposes `sender` (and with it ipcRenderer).
    const forward = (_e: IpcRendererEvent, payload: unknown): void => {
      listener(payload);
    };
    ipcRenderer.on(event, forward);
    return () => {
      ipcRenderer.removeListener(event, forward);
    };
  },
};

contextBridge.exposeInMainWorld('pipdesk', api);
