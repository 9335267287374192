import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installApi } from './bridge/installApi';
import { App } from './App';
import { StoreProvider } from './app/context';
import { startApp } from './app/startApp';
import './styles/theme.css';
import './styles/app.css';

const { store } = startApp(installApi());

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');

createRoot(root).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
