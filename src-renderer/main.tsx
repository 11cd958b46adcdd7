import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { IpcTransport } from '../src-core/contracts/ipc';
import { createIpcClient } from '../src-core/contracts/ipc-client';
import { App } from './app/App';
import { startHistoryFeed } from './features/history/history-feed';
import { createNotifier, desktopNotifications } from './features/notifications/notifier';
import { playBeep } from './features/notifications/sound';
import { startRendererErrorReporting } from './app/error-reporting';
import { chooseTransport } from './app/transport';
import { createAppStore } from './store/app-store';
import { createController, type Controller } from './store/controller';
import { persistOneClickDrafts } from './store/draft-persistence';
import { animationFrameScheduler } from './store/tick-batcher';
import { AppContext } from './store/use-app';
import './app/styles.css';

const store = createAppStore();
persistOneClickDrafts(store, window.localStorage);
let controller: Controller | null = null;
let wasLost = false;

const choice = chooseTransport((state) => {
  if (state === 'open') {
    store.getState().setTransport('open');
    // After the link to the app comes back, everything may have changed: load it all again.
    if (wasLost) void controller?.resync();
    wasLost = false;
  } else if (state === 'reconnecting' || state === 'unauthorized' || state === 'closed') {
    wasLost = true;
    store.getState().setTransport('lost');
    if (state === 'unauthorized') {
      store
        .getState()
        .setError('app', 'The app refused this page: open the address Pipdesk printed when it started.');
    }
  }
});

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');

// Without a way to reach the app every call fails with the reason, which the banner and each control show.
const transport: IpcTransport =
  choice.kind === 'none'
    ? { invoke: () => Promise.reject(new Error(choice.reason)), subscribe: () => () => undefined }
    : choice.transport;
if (choice.kind === 'none') store.getState().setError('app', choice.reason);
const client = createIpcClient(transport);
controller = createController(client, store, animationFrameScheduler);
// Deals for History, the day's P/L and notifications (docs/ui.md, "History, P/L and notifications").
startHistoryFeed(client, store, createNotifier(store, desktopNotifications(client), playBeep));
void controller.start();
// Error reports start once the app's info says they are on; with no DSN the SDK is never loaded.
const stopWatchingInfo = store.subscribe((state) => {
  if (state.appInfo === null) return;
  stopWatchingInfo();
  void startRendererErrorReporting(state.appInfo.errorReporting);
});

createRoot(root).render(
  <StrictMode>
    <AppContext.Provider value={{ store, controller }}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);
