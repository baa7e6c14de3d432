/* The responsible-leader picker: leaders in the owning unit's line first, and a search box.
 *
 * The server orders the list for the unit the page had; this keeps it right when the editor
 * picks another owning unit, and narrows the list as she types a name, role or unit.
 */
(() => {
  const fold = (text) =>
    text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();

  function setUp(select) {
    if (select.dataset.leaderReady) return;
    select.dataset.leaderReady = 'true';
    const wrapper = select.closest('.publishing-leader-select');
    const search = wrapper.querySelector('[data-leader-search]');
    const status = wrapper.querySelector('[data-leader-status]');
    const linesScript = document.getElementById(`${select.id}-lines`);
    const lines = linesScript ? JSON.parse(linesScript.textContent) : {};
    const blank = select.querySelector('option[value=""]');
    const people = Array.from(select.querySelectorAll('option')).filter((o) => o.value);
    const byName = [...people].sort((a, b) => a.text.localeCompare(b.text));
    const unitSelect = select.form?.querySelector('select[name="owning_unit"]');

    function group(label, options) {
      const optgroup = document.createElement('optgroup');
      optgroup.label = label;
      options.forEach((option) => optgroup.append(option));
      return optgroup;
    }

    function regroup() {
      const chosen = select.value;
      const unitOption = unitSelect?.selectedOptions[0];
      const line = (lines[unitSelect?.value] || []).map(String);
      const inLine = line
        .map((id) => people.find((option) => option.value === id))
        .filter(Boolean);
      const others = byName.filter((option) => !line.includes(option.value));
      select.replaceChildren(...(blank ? [blank] : []));
      if (inLine.length && unitOption) {
        const unit = unitOption.text.trim();
        select.append(
          group(select.dataset.lineLabel.replace('%(unit)s', unit), inLine),
          group(select.dataset.othersLabel, others),
        );
      } else {
        select.append(...others);
      }
      select.value = chosen;
    }

    function filter() {
      const query = fold(search.value.trim());
      let shown = 0;
      people.forEach((option) => {
        const match = !query || fold(option.text).includes(query);
        option.dataset.match = match ? 'true' : 'false';
        // The chosen leader stays visible, so the field never seems to lose its value.
        option.hidden = !match && !option.selected;
        if (match) shown += 1;
      });
      select.querySelectorAll('optgroup').forEach((optgroup) => {
        optgroup.hidden = Array.from(optgroup.children).every((option) => option.hidden);
      });
      status.textContent = query && !shown ? status.dataset.none : '';
    }

    search.hidden = false;
    search.addEventListener('input', filter);
    search.addEventListener('keydown', (event) => {
      // Enter takes the first leader that matches instead of submitting the page.
      if (event.key !== 'Enter') return;
      event.preventDefault();
      const options = Array.from(select.querySelectorAll('option')); // in the order shown
      const first = options.find((option) => option.dataset.match === 'true');
      if (first && search.value.trim()) {
        select.value = first.value;
        select.dispatchEvent(new Event('change', { bubbles: true }));
        filter();
      }
    });
    unitSelect?.addEventListener('change', () => {
      regroup();
      filter();
    });
  }

  function setUpAll() {
    document.querySelectorAll('select[data-leader-select]').forEach(setUp);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', setUpAll);
  } else {
    setUpAll();
  }
})();
