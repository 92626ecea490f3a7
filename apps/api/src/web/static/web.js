import { initAll } from './govuk-frontend.min.js';

initAll();

// "Print or save as PDF" buttons work only with JavaScript, so they are shown only then.
for (const button of document.querySelectorAll('[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
