/**
 * One loading shape for everything the renderer reads from main. `data` outlives a reload and a
 * failed reload, so a view keeps showing what it had (dimmed, or with a note) instead of blanking.
 */
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface Loadable<T> {
  status: LoadStatus;
  data: T | null;
}

export function idle<T>(): Loadable<T> {
  return { status: 'idle', data: null };
}

export function ready<T>(data: T): Loadable<T> {
  return { status: 'ready', data };
}

/**
 * How a new load is shown. 'refresh': data already shown stays 'ready' (a background re-read, e.g.
 * after a change event, must not flicker a spinner). 'reload': the view asked for different data
 * (another range), so it shows that it is loading while the old data stays.
 */
export type LoadMode = 'refresh' | 'reload';

export function loadingStatus(current: LoadStatus, mode: LoadMode = 'refresh'): LoadStatus {
  return mode === 'refresh' && current === 'ready' ? 'ready' : 'loading';
}

/** A failed load: what was shown stays shown ('ready' after a refresh), else 'error'. */
export function failedStatus(current: LoadStatus, mode: LoadMode = 'refresh'): LoadStatus {
  return mode === 'refresh' && current === 'ready' ? 'ready' : 'error';
}

export function loading<T>(current: Loadable<T>, mode: LoadMode = 'refresh'): Loadable<T> {
  return { status: loadingStatus(current.status, mode), data: current.data };
}

export function failed<T>(current: Loadable<T>, mode: LoadMode = 'refresh'): Loadable<T> {
  return { status: failedStatus(current.status, mode), data: current.data };
}
