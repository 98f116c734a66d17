import './base.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { signingHe } from '../i18n/he';
import { RemoteSigning } from './RemoteSigning';

document.title = signingHe.pageTitle;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RemoteSigning />
  </StrictMode>,
);
