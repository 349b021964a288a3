// Progressive enhancement only: every page works without this file.
import { initAll } from '/assets/govuk-frontend.min.js';

initAll();

// Record spend: show which quarter the date falls in while it is typed. The server works the
// quarter out (one rule, in one place); this only asks it.
const dateInput = document.querySelector('[data-quarter-url]');
const quarter = document.getElementById('quarter');
if (dateInput && quarter) {
  const box = (name) => dateInput.querySelector(`input[name="spentOn-${name}"]`);
  let pending;
  const update = () => {
    const [day, month, year] = ['day', 'month', 'year'].map((name) => box(name)?.value.trim() ?? '');
    if (!day || !month || year.length !== 4) {
      quarter.textContent = '';
      return;
    }
    const date = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
    clearTimeout(pending);
    pending = setTimeout(async () => {
      const response = await fetch(`${dateInput.dataset.quarterUrl}?date=${encodeURIComponent(date)}`, { headers: { accept: 'application/json' } });
      if (response.ok) quarter.textContent = (await response.json()).text;
    }, 150);
  };
  dateInput.addEventListener('input', update);
}

// Reports: copy the committee table so it pastes into Word as a table.
for (const button of document.querySelectorAll('[data-copy-table]')) {
  button.hidden = false;
  button.addEventListener('click', async () => {
    const table = document.getElementById(button.dataset.copyTable);
    const status = document.getElementById(`${button.dataset.copyTable}-status`);
    try {
      const html = new Blob([table.outerHTML], { type: 'text/html' });
      const text = new Blob([table.innerText], { type: 'text/plain' });
      await navigator.clipboard.write([new ClipboardItem({ 'text/html': html, 'text/plain': text })]);
      if (status) status.textContent = 'Table copied. Paste it into your report.';
    } catch {
      if (status) status.textContent = 'Your browser did not allow copying. Select the table and copy it instead.';
    }
  });
}
