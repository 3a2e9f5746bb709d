// The campaign editor's live preview: as staff type, the form is posted for a preview (nothing is
// saved) and the preview section is replaced. Without script, the Preview button does the same.
(() => {
  const form = document.querySelector('form[data-live-preview]');
  const section = document.getElementById('preview-section');
  if (!form || !section || !window.fetch || !window.DOMParser) return;
  let timer = null;
  let seq = 0;
  const refresh = async () => {
    const mine = ++seq;
    const data = new URLSearchParams(new FormData(form));
    data.set('action', 'preview');
    try {
      // A control named "action" hides form.action: read the attribute.
      const r = await fetch(form.getAttribute('action'), { method: 'POST', body: data, credentials: 'same-origin' });
      if (!r.ok || mine !== seq) return;
      const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
      const fresh = doc.getElementById('preview-section');
      // A form with mistakes has no preview: keep the last good one until they are fixed.
      if (fresh && fresh.children.length > 0 && mine === seq) {
        section.replaceChildren(...Array.from(fresh.childNodes).map((n) => document.importNode(n, true)));
        const status = document.getElementById('preview-status');
        if (status) status.textContent = 'Preview updated';
      }
    } catch (_) {
      // Offline or signed out: the Preview button still works.
    }
  };
  const later = (e) => {
    if (e.target && e.target.id === 'preview_area' && e.type === 'input') return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 700);
  };
  form.addEventListener('input', later);
  form.addEventListener('change', later);
})();
