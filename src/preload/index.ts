/**
 * Preload: exposes `window.confab` and nothing else. Never raw ipcRenderer, never process.env.
 * The object is built from the shared contract, so its shape matches the web host's bridge.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createClient, type Envelope, type Transport } from '@shared/client';
import { channelFor, EVENT_CHANNEL, isEventName, type EventName } from '@shared/contract';

const transport: Transport = {
  invoke: (method, input) => ipcRenderer.invoke(channelFor(method), input) as Promise<Envelope<unknown>>,
  subscribe(listener) {
    const handler = (_event: Electron.IpcRendererEvent, name: unknown, payload: unknown) => {
      if (isEventName(name)) listener(name as EventName, payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => ipcRenderer.off(EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('confab', createClient(transport, { rejectWithData: true }));
