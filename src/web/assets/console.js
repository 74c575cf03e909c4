// oss-sync console: small progressive enhancements. Every page works without this file.
(() => {
  // "Pilih semua" checkboxes select every row checkbox of their form (bulk actions on findings).
  for (const all of document.querySelectorAll('input[data-select-all]')) {
    all.addEventListener('change', () => {
      const form = all.form ?? document;
      for (const box of form.querySelectorAll(`input[type="checkbox"][name="${all.dataset.selectAll}"]`)) {
        box.checked = all.checked;
      }
    });
  }
  // Forms whose action is dangerous ask once more.
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
  // Live progress of a running sync: the element names the run; its page reloads when the run ends.
  const live = document.querySelector('[data-live-run]');
  if (live) {
    const id = live.dataset.liveRun;
    const tick = async () => {
      try {
        const res = await fetch(`/sinkronisasi/${encodeURIComponent(id)}/progres`, {
          headers: { accept: 'application/json' },
        });
        if (res.ok) {
          const run = await res.json();
          live.textContent = run.text;
          if (run.status !== 'running') {
            window.location.reload();
            return;
          }
        }
      } catch {
        // The server may be restarting: try again on the next tick.
      }
      setTimeout(tick, 1500);
    };
    setTimeout(tick, 1500);
  }
})();
