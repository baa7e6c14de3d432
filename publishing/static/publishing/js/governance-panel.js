/*
 * The governance side panel: keeps the report current while the page is written.
 *
 * The editor is drawn without the report; as soon as the editor is shown, and on input and
 * change in the editor form (and when Wagtail refreshes its preview), it posts the form,
 * unsaved, to the panel's report endpoint, debounced, and swaps the panel's content for the
 * answer. It never submits the form: the data goes with fetch() to an endpoint that saves
 * nothing. No build step: plain browser JavaScript.
 */
(function () {
  'use strict';

  var DELAY_MS = 800;
  // A first report that could not be had is asked for again after this long.
  var RETRY_MS = 4000;
  var timer = null;
  var inFlight = null;
  var lastAnnounced = null;

  function panel() {
    return document.querySelector('[data-governance-panel]');
  }

  function editorForm() {
    return document.querySelector('form[data-edit-form]');
  }

  function schedule() {
    if (!panel()) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DELAY_MS);
  }

  // Wagtail's own signals that the draft changed (its autosave, its preview) come a moment
  // after the typing that caused them: they must not push back a refresh already on its way.
  function scheduleUnlessPending() {
    if (timer === null) schedule();
  }

  function updateCounter(fragment) {
    var counter = document.querySelector(
      '[data-side-panel-toggle="governance"] [data-side-panel-toggle-counter]'
    );
    if (!counter || !fragment) return;
    var blocking = parseInt(fragment.getAttribute('data-blocking'), 10) || 0;
    counter.textContent = String(blocking);
    counter.hidden = blocking === 0;
  }

  function announce(root, fragment) {
    // Only a changed summary is announced, so a screen reader is not interrupted at every pause.
    var status = root.querySelector('[data-governance-status]');
    var summary = fragment ? fragment.getAttribute('data-summary') : '';
    if (status && summary && summary !== lastAnnounced) {
      status.textContent = summary;
      lastAnnounced = summary;
    }
  }

  function refresh() {
    timer = null;
    var root = panel();
    var form = editorForm();
    if (!root || !form) return;
    var url = root.getAttribute('data-governance-report-url');
    var body = root.querySelector('[data-governance-report]');
    var error = root.querySelector('[data-governance-error]');
    // The form's fields as a URL-encoded body, without files and without the action buttons:
    // the endpoint needs the text and choices only, and must never take this as a publish.
    var data = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value === 'string' && key.indexOf('action-') !== 0) data.append(key, value);
    });
    if (inFlight) inFlight.abort();
    var controller = new AbortController();
    inFlight = controller;
    body.setAttribute('aria-busy', 'true');
    fetch(url, {
      method: 'POST',
      body: data,
      credentials: 'same-origin',
      headers: {
        'X-Requested-With': 'XMLHttpRequest',
        'X-CSRFToken': data.get('csrfmiddlewaretoken') || '',
      },
      signal: controller.signal,
    })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.text();
      })
      .then(function (html) {
        body.innerHTML = html;
        body.removeAttribute('data-governance-stale');
        var fragment = body.querySelector('[data-governance-fragment]');
        if (error) error.hidden = true;
        updateCounter(fragment);
        announce(root, fragment);
      })
      .catch(function (problem) {
        if (problem && problem.name === 'AbortError') return;
        if (error) error.hidden = false;
        var loading = body.querySelector('[data-governance-loading]');
        if (loading) {
          // No report yet: say only that it failed, and ask again in a moment.
          loading.hidden = true;
          window.setTimeout(scheduleUnlessPending, RETRY_MS);
        } else {
          // The report shown is of the text as it was: dim it, so that it is not taken as current.
          body.setAttribute('data-governance-stale', '');
        }
      })
      .finally(function () {
        if (inFlight === controller) {
          inFlight = null;
          body.removeAttribute('aria-busy');
        }
      });
  }

  function goToField(name) {
    var form = editorForm();
    if (!form || !name) return;
    var escaped = window.CSS && CSS.escape ? CSS.escape(name) : name;
    var target =
      form.querySelector('[data-contentpath="' + escaped + '"]') ||
      form.querySelector('#id_' + escaped) ||
      form.querySelector('[name="' + escaped + '"]');
    if (!target) return;
    var tabPanel = target.closest('[role="tabpanel"]');
    var switched = false;
    if (tabPanel && tabPanel.id) {
      var tab = document.querySelector(
        '[role="tab"][aria-controls="' + tabPanel.id + '"], a[href="#' + tabPanel.id + '"]'
      );
      if (tab && tab.getAttribute('aria-selected') !== 'true') {
        tab.click();
        switched = true;
      }
    }
    // Where the panel lies over the whole editor (a phone), it is closed to show the field.
    var toggle = document.querySelector('[data-side-panel-toggle="governance"]');
    if (toggle && toggle.getAttribute('aria-expanded') === 'true' && panelCoversForm(form)) {
      toggle.click();
    }
    // A tab that was hidden is drawn only after the click: scroll once it is.
    var go = function () {
      target.scrollIntoView({ block: 'center' });
      var focusable = target.matches('input, select, textarea, [contenteditable="true"]')
        ? target
        : target.querySelector(
            'input:not([type="hidden"]), select, textarea, [contenteditable="true"], button'
          );
      if (focusable) focusable.focus({ preventScroll: true });
    };
    if (switched) {
      window.requestAnimationFrame(function () {
        window.setTimeout(go, 50);
      });
    } else {
      go();
    }
  }

  function panelCoversForm(form) {
    var side = document.querySelector('.form-side--open');
    if (!side) return false;
    var box = side.getBoundingClientRect();
    return box.left <= form.getBoundingClientRect().left + 40;
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('[data-governance-field]');
    if (!button) return;
    event.preventDefault();
    goToField(button.getAttribute('data-governance-field'));
  });

  function watchForm() {
    var form = editorForm();
    if (!form || form.hasAttribute('data-governance-watched')) return;
    form.setAttribute('data-governance-watched', '');
    form.addEventListener('input', schedule);
    form.addEventListener('change', schedule);
  }

  // Wagtail's preview refresh and its unsaved-changes detector (StreamField blocks added or
  // moved fire no input event) are further signals that the draft changed.
  document.addEventListener('w-preview:updated', scheduleUnlessPending);
  document.addEventListener('w-unsaved:add', scheduleUnlessPending);

  // The refusal above the footer is as wide as the editor's column allows: Wagtail's minimap
  // and the open side panel lie over the column's right edge and would hide the end of each
  // line. CSS cannot know where they begin, so the box's width is measured here.
  function fitFooterBoxes() {
    var boxes = document.querySelectorAll(
      '.publishing-footer-findings, .publishing-approval-obstacles'
    );
    if (!boxes.length) return;
    var edge = window.innerWidth;
    document.querySelectorAll('.w-minimap, .form-side--open').forEach(function (element) {
      var left = element.getBoundingClientRect().left;
      if (left > 0 && left < edge) edge = left;
    });
    boxes.forEach(function (box) {
      box.style.maxWidth = '';
      var room = edge - box.getBoundingClientRect().left - 8;
      if (room > 160) box.style.maxWidth = room + 'px';
    });
  }

  function start() {
    watchForm();
    // The first report, once Wagtail's scripts have filled the form (StreamFields are drawn in
    // the browser and their values are in the form only then).
    if (panel() && panel().querySelector('[data-governance-loading]')) {
      var first = function () {
        window.requestAnimationFrame(function () {
          window.setTimeout(refresh, 0);
        });
      };
      if (document.readyState === 'complete') first();
      else window.addEventListener('load', first, { once: true });
    }
    fitFooterBoxes();
    // Opening, closing or resizing the side panel (also when Wagtail reopens it after the page
    // loads) changes the column's width.
    var form = editorForm();
    if (form && window.ResizeObserver) new ResizeObserver(fitFooterBoxes).observe(form);
    document.addEventListener('transitionend', fitFooterBoxes);
  }

  window.addEventListener('resize', fitFooterBoxes);

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }

  window.publishingGovernancePanel = { refresh: refresh, schedule: schedule };
})();
