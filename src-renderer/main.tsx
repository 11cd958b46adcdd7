import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { IpcTransport } from '../src-core/contracts/ipc';
import { createIpcClient } from '../src-core/contracts/ipc-client';
import { App } from './app/App';
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
controller = createController(createIpcClient(transport), store, animationFrameScheduler);
void controller.start();

createRoot(root).render(
  <StrictMode>
    <AppContext.Provider value={{ store, controller }}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);
