import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installApi } from './bridge/installApi';
import { App } from './App';
import { RecoveryScreen } from './features/recovery/RecoveryScreen';
import { readStartupState } from './features/recovery/startupState';
import { StoreProvider } from './app/context';
import { startApp } from './app/startApp';
import './styles/theme.css';
import './styles/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');

const api = installApi();
// The host first says whether its database opened; if not, the recovery screen replaces the app
// (nothing else would work), and once a recovery action opens it, the page starts over.
void readStartupState(api).then((startup) => {
  const view = createRoot(root);
  if (startup.state === 'recovery') {
    view.render(
      <StrictMode>
        <RecoveryScreen api={api} initial={startup} onReady={() => window.location.reload()} />
      </StrictMode>,
    );
    return;
  }
  const { store } = startApp(api);
  view.render(
    <StrictMode>
      <StoreProvider store={store}>
        <App />
      </StoreProvider>
    </StrictMode>,
  );
});
