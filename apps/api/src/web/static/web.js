import { initAll } from './govuk-frontend.min.js';

initAll();

// "Print or save as PDF" buttons work only with JavaScript, so they are shown only then.
for (const button of document.querySelectorAll('[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}

// On a phone a filter panel folds behind a button, so that the results come first; without JavaScript it stays open.
if (window.matchMedia('(max-width: 40.0525em)').matches) {
  for (const panel of document.querySelectorAll('[data-fold-on-phones]')) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'govuk-button govuk-button--secondary';
    button.textContent = panel.dataset.foldOnPhones;
    button.setAttribute('aria-controls', panel.id);
    button.setAttribute('aria-expanded', 'false');
    button.addEventListener('click', () => {
      panel.hidden = !panel.hidden;
      button.setAttribute('aria-expanded', String(!panel.hidden));
    });
    panel.hidden = true;
    panel.before(button);
  }
}
